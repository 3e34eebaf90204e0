import { createBrowserRouter, Navigate } from 'react-router';
import { ContactProfile } from './audience/ContactProfile';
import { ContactsPage } from './audience/ContactsPage';
import { EditorPage } from './journeys/editor/EditorPage';
import { JourneyListPage } from './journeys/JourneyListPage';
import { AppLayout } from './layout/AppLayout';
import { MessagesPage } from './messaging/MessagesPage';

export function createRouter() {
  return createBrowserRouter([
    {
      path: '/',
      element: <AppLayout />,
      children: [
        { index: true, element: <Navigate to="/journeys" replace /> },
        { path: 'journeys', element: <JourneyListPage /> },
        { path: 'journeys/:journeyId', element: <EditorPage /> },
        { path: 'contacts', element: <ContactsPage /> },
        { path: 'contacts/:contactId', element: <ContactProfile /> },
        { path: 'messages', element: <MessagesPage /> },
        { path: '*', element: <Navigate to="/journeys" replace /> },
      ],
    },
  ]);
}

/**
 * Links from before path routes (`/#/journeys/abc`) keep working: the hash becomes the path
 * before the router reads the address. The API serves index.html for any path outside /v1.
 */
export function adoptHashRoute(): void {
  const { hash } = window.location;
  if (hash.startsWith('#/')) window.history.replaceState(null, '', hash.slice(1) || '/');
}
