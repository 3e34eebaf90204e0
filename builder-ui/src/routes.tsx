import { createBrowserRouter } from 'react-router';
import { AffinityPage } from './analytics/AffinityPage';
import { AnalyticsLayout } from './analytics/AnalyticsLayout';
import { CampaignFunnelPage } from './analytics/CampaignFunnelPage';
import { ClustersPage } from './analytics/ClustersPage';
import { ClvPage } from './analytics/ClvPage';
import { CohortsPage } from './analytics/CohortsPage';
import { DashboardPage } from './analytics/DashboardPage';
import { ForecastPage } from './analytics/ForecastPage';
import { FunnelsPage } from './analytics/FunnelsPage';
import { JourneyFunnelPage } from './analytics/JourneyFunnelPage';
import { RfmPage } from './analytics/RfmPage';
import { AttributesPage } from './audience/AttributesPage';
import { ContactProfile } from './audience/ContactProfile';
import { ContactsPage } from './audience/ContactsPage';
import { ImportPage } from './audience/ImportPage';
import { ListDetailPage } from './audience/ListDetailPage';
import { ListsPage } from './audience/ListsPage';
import { SegmentBuilderPage } from './audience/SegmentBuilderPage';
import { SegmentsPage } from './audience/SegmentsPage';
import { AcceptInvitationPage } from './auth/AcceptInvitationPage';
import { ResetPasswordPage } from './auth/ResetPasswordPage';
import { SignInLinkPage } from './auth/SignInLinkPage';
import { SignInPage } from './auth/SignInPage';
import { BroadcastComposer } from './campaigns/BroadcastComposer';
import { BroadcastPage } from './campaigns/BroadcastPage';
import { CalendarPage } from './campaigns/CalendarPage';
import { CampaignPage } from './campaigns/CampaignPage';
import { CampaignsPage } from './campaigns/CampaignsPage';
import { ReportPage } from './campaigns/ReportPage';
import { ContentEditorPage } from './content/ContentEditorPage';
import { ContentLibraryPage } from './content/ContentLibraryPage';
import { DealDetailPage } from './crm/deals/DealDetailPage';
import { DealReportsPage } from './crm/deals/DealReportsPage';
import { DealsPage } from './crm/deals/DealsPage';
import { SlaPoliciesPage } from './crm/tickets/SlaPoliciesPage';
import { TicketDetailPage } from './crm/tickets/TicketDetailPage';
import { TicketReportsPage } from './crm/tickets/TicketReportsPage';
import { TicketsPage } from './crm/tickets/TicketsPage';
import { EditorPage } from './journeys/editor/EditorPage';
import { JourneyListPage } from './journeys/JourneyListPage';
import { AppLayout } from './layout/AppLayout';
import { HomeRedirect } from './layout/HomeRedirect';
import { RequirePermission } from './layout/RequirePermission';
import { ChannelSettingsPage } from './messaging/channels/ChannelSettingsPage';
import { MessagesPage } from './messaging/MessagesPage';
import { TemplateEditorPage } from './messaging/templates/TemplateEditorPage';
import { TemplateListPage } from './messaging/templates/TemplateListPage';
import { ApiKeysPage } from './settings/ApiKeysPage';
import { AuditLogPage } from './settings/AuditLogPage';
import { GeneralPage } from './settings/GeneralPage';
import { HolidaysPage } from './settings/HolidaysPage';
import { MembersPage } from './settings/MembersPage';
import { SettingsIndex, SettingsLayout } from './settings/SettingsLayout';

export function createRouter() {
  return createBrowserRouter([
    // Before sign-in: outside the signed-in layout.
    { path: '/sign-in', element: <SignInPage /> },
    { path: '/sign-in/link', element: <SignInLinkPage /> },
    { path: '/reset-password', element: <ResetPasswordPage /> },
    { path: '/accept-invitation', element: <AcceptInvitationPage /> },
    {
      path: '/',
      element: <AppLayout />,
      children: [
        { index: true, element: <HomeRedirect /> },
        { path: 'journeys', element: <JourneyListPage /> },
        { path: 'journeys/:journeyId', element: <EditorPage /> },
        { path: 'contacts', element: <ContactsPage /> },
        { path: 'contacts/import', element: <ImportPage /> },
        { path: 'contacts/attributes', element: <AttributesPage /> },
        { path: 'contacts/:contactId', element: <ContactProfile /> },
        { path: 'lists', element: <ListsPage /> },
        { path: 'lists/:listId', element: <ListDetailPage /> },
        { path: 'segments', element: <SegmentsPage /> },
        { path: 'segments/new', element: <SegmentBuilderPage /> },
        { path: 'segments/:segmentId', element: <SegmentBuilderPage /> },
        {
          path: 'campaigns',
          element: (
            <RequirePermission anyOf={['campaigns:read']}>
              <CampaignsPage />
            </RequirePermission>
          ),
        },
        {
          path: 'campaigns/calendar',
          element: (
            <RequirePermission anyOf={['campaigns:read']}>
              <CalendarPage />
            </RequirePermission>
          ),
        },
        {
          path: 'campaigns/:campaignId',
          element: (
            <RequirePermission anyOf={['campaigns:read']}>
              <CampaignPage />
            </RequirePermission>
          ),
        },
        {
          path: 'campaigns/:campaignId/report',
          element: (
            <RequirePermission anyOf={['campaigns:read']}>
              <ReportPage kind="campaigns" />
            </RequirePermission>
          ),
        },
        {
          path: 'broadcasts/new',
          element: (
            <RequirePermission anyOf={['broadcasts:write']}>
              <BroadcastComposer />
            </RequirePermission>
          ),
        },
        {
          path: 'broadcasts/:broadcastId',
          element: (
            <RequirePermission anyOf={['broadcasts:read']}>
              <BroadcastPage />
            </RequirePermission>
          ),
        },
        {
          path: 'broadcasts/:broadcastId/report',
          element: (
            <RequirePermission anyOf={['broadcasts:read']}>
              <ReportPage kind="broadcasts" />
            </RequirePermission>
          ),
        },
        {
          path: 'deals',
          element: (
            <RequirePermission anyOf={['deals:read']}>
              <DealsPage />
            </RequirePermission>
          ),
        },
        {
          path: 'deals/reports',
          element: (
            <RequirePermission anyOf={['deals:read']}>
              <DealReportsPage />
            </RequirePermission>
          ),
        },
        {
          path: 'deals/:dealId',
          element: (
            <RequirePermission anyOf={['deals:read']}>
              <DealDetailPage />
            </RequirePermission>
          ),
        },
        { path: 'messages', element: <MessagesPage /> },
        {
          path: 'content',
          element: (
            <RequirePermission anyOf={['content:read']}>
              <ContentLibraryPage />
            </RequirePermission>
          ),
        },
        {
          path: 'content/:itemId',
          element: (
            <RequirePermission anyOf={['content:read']}>
              <ContentEditorPage />
            </RequirePermission>
          ),
        },
        {
          path: 'templates',
          element: (
            <RequirePermission anyOf={['templates:read']}>
              <TemplateListPage />
            </RequirePermission>
          ),
        },
        {
          path: 'templates/:templateId',
          element: (
            <RequirePermission anyOf={['templates:read']}>
              <TemplateEditorPage />
            </RequirePermission>
          ),
        },
        {
          path: 'channels',
          element: (
            <RequirePermission anyOf={['channels:read']}>
              <ChannelSettingsPage />
            </RequirePermission>
          ),
        },
        {
          path: 'tickets',
          element: (
            <RequirePermission anyOf={['tickets:read']}>
              <TicketsPage />
            </RequirePermission>
          ),
        },
        {
          path: 'tickets/reports',
          element: (
            <RequirePermission anyOf={['tickets:read']}>
              <TicketReportsPage />
            </RequirePermission>
          ),
        },
        {
          path: 'tickets/sla',
          element: (
            <RequirePermission anyOf={['tickets:read']}>
              <SlaPoliciesPage />
            </RequirePermission>
          ),
        },
        {
          path: 'tickets/:ticketId',
          element: (
            <RequirePermission anyOf={['tickets:read']}>
              <TicketDetailPage />
            </RequirePermission>
          ),
        },
        {
          path: 'analytics',
          element: <AnalyticsLayout />,
          children: [
            { index: true, element: <DashboardPage /> },
            { path: 'rfm', element: <RfmPage /> },
            { path: 'clv', element: <ClvPage /> },
            { path: 'clusters', element: <ClustersPage /> },
            { path: 'affinity', element: <AffinityPage /> },
            { path: 'forecast', element: <ForecastPage /> },
            { path: 'funnels', element: <FunnelsPage /> },
            { path: 'journey-funnel', element: <JourneyFunnelPage /> },
            { path: 'campaign-funnel', element: <CampaignFunnelPage /> },
            { path: 'cohorts', element: <CohortsPage /> },
          ],
        },
        {
          path: 'settings',
          element: <SettingsLayout />,
          children: [
            { index: true, element: <SettingsIndex /> },
            {
              path: 'holidays',
              element: (
                <RequirePermission anyOf={['journeys:write']}>
                  <HolidaysPage />
                </RequirePermission>
              ),
            },
            {
              path: 'general',
              element: (
                <RequirePermission anyOf={['settings:manage']}>
                  <GeneralPage />
                </RequirePermission>
              ),
            },
            {
              path: 'members',
              element: (
                <RequirePermission anyOf={['members:read']}>
                  <MembersPage />
                </RequirePermission>
              ),
            },
            {
              path: 'api-keys',
              element: (
                <RequirePermission anyOf={['keys:manage']}>
                  <ApiKeysPage />
                </RequirePermission>
              ),
            },
            {
              path: 'audit-log',
              element: (
                <RequirePermission anyOf={['audit:read']}>
                  <AuditLogPage />
                </RequirePermission>
              ),
            },
          ],
        },
        { path: '*', element: <HomeRedirect /> },
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
