import type { QueryClient } from '@tanstack/react-query';
import { isValidElement, type ReactNode } from 'react';
import { createBrowserRouter, matchRoutes } from 'react-router';
import { readJourneyAtStart } from './api/journey-read';
import { nodeTypesQuery } from './api/node-types';
import { readJourneysLastTime, sessionQuery } from './api/session';
import { SignInPage } from './auth/SignInPage';
import { AppLayout } from './layout/AppLayout';
import { HomeRedirect } from './layout/HomeRedirect';
import { RequirePermission } from './layout/RequirePermission';
import { type LazyPage, lazyPage } from './lazy-page';
import { SettingsIndex, SettingsLayout } from './settings/SettingsLayout';

// Each page loads with its area's code on first visit, so the first screen loads only the shell.
const AffinityPage = lazyPage(() => import('./analytics/AffinityPage'), 'AffinityPage');
const AnalyticsLayout = lazyPage(() => import('./analytics/AnalyticsLayout'), 'AnalyticsLayout');
const CampaignFunnelPage = lazyPage(() => import('./analytics/CampaignFunnelPage'), 'CampaignFunnelPage');
const ClustersPage = lazyPage(() => import('./analytics/ClustersPage'), 'ClustersPage');
const ClvPage = lazyPage(() => import('./analytics/ClvPage'), 'ClvPage');
const CohortsPage = lazyPage(() => import('./analytics/CohortsPage'), 'CohortsPage');
const DashboardPage = lazyPage(() => import('./analytics/DashboardPage'), 'DashboardPage');
const ForecastPage = lazyPage(() => import('./analytics/ForecastPage'), 'ForecastPage');
const FunnelsPage = lazyPage(() => import('./analytics/FunnelsPage'), 'FunnelsPage');
const JourneyFunnelPage = lazyPage(() => import('./analytics/JourneyFunnelPage'), 'JourneyFunnelPage');
const RfmPage = lazyPage(() => import('./analytics/RfmPage'), 'RfmPage');
const AttributesPage = lazyPage(() => import('./audience/AttributesPage'), 'AttributesPage');
const ContactProfile = lazyPage(() => import('./audience/ContactProfile'), 'ContactProfile');
const ContactsPage = lazyPage(() => import('./audience/ContactsPage'), 'ContactsPage');
const ImportPage = lazyPage(() => import('./audience/ImportPage'), 'ImportPage');
const ListDetailPage = lazyPage(() => import('./audience/ListDetailPage'), 'ListDetailPage');
const ListsPage = lazyPage(() => import('./audience/ListsPage'), 'ListsPage');
const SegmentBuilderPage = lazyPage(() => import('./audience/SegmentBuilderPage'), 'SegmentBuilderPage');
const SegmentsPage = lazyPage(() => import('./audience/SegmentsPage'), 'SegmentsPage');
const AcceptInvitationPage = lazyPage(() => import('./auth/AcceptInvitationPage'), 'AcceptInvitationPage');
const ResetPasswordPage = lazyPage(() => import('./auth/ResetPasswordPage'), 'ResetPasswordPage');
const SignInLinkPage = lazyPage(() => import('./auth/SignInLinkPage'), 'SignInLinkPage');
const BroadcastComposer = lazyPage(() => import('./campaigns/BroadcastComposer'), 'BroadcastComposer');
const BroadcastPage = lazyPage(() => import('./campaigns/BroadcastPage'), 'BroadcastPage');
const CalendarPage = lazyPage(() => import('./campaigns/CalendarPage'), 'CalendarPage');
const CampaignPage = lazyPage(() => import('./campaigns/CampaignPage'), 'CampaignPage');
const CampaignsPage = lazyPage(() => import('./campaigns/CampaignsPage'), 'CampaignsPage');
const ReportPage = lazyPage(() => import('./campaigns/ReportPage'), 'ReportPage');
const ContentEditorPage = lazyPage(() => import('./content/ContentEditorPage'), 'ContentEditorPage');
const ContentLibraryPage = lazyPage(() => import('./content/ContentLibraryPage'), 'ContentLibraryPage');
const DealDetailPage = lazyPage(() => import('./crm/deals/DealDetailPage'), 'DealDetailPage');
const DealReportsPage = lazyPage(() => import('./crm/deals/DealReportsPage'), 'DealReportsPage');
const DealsPage = lazyPage(() => import('./crm/deals/DealsPage'), 'DealsPage');
const SlaPoliciesPage = lazyPage(() => import('./crm/tickets/SlaPoliciesPage'), 'SlaPoliciesPage');
const TicketDetailPage = lazyPage(() => import('./crm/tickets/TicketDetailPage'), 'TicketDetailPage');
const TicketReportsPage = lazyPage(() => import('./crm/tickets/TicketReportsPage'), 'TicketReportsPage');
const TicketsPage = lazyPage(() => import('./crm/tickets/TicketsPage'), 'TicketsPage');
const EditorPage = lazyPage(
  () => import('./journeys/editor/EditorPage'),
  'EditorPage',
  ({ journeyId }, client) => {
    if (journeyId) void readJourneyAtStart(client, journeyId);
  },
);
const JourneyListPage = lazyPage(() => import('./journeys/JourneyListPage'), 'JourneyListPage');
const ChannelSettingsPage = lazyPage(
  () => import('./messaging/channels/ChannelSettingsPage'),
  'ChannelSettingsPage',
);
const MessagesPage = lazyPage(() => import('./messaging/MessagesPage'), 'MessagesPage');
const TemplateEditorPage = lazyPage(
  () => import('./messaging/templates/TemplateEditorPage'),
  'TemplateEditorPage',
);
const TemplateListPage = lazyPage(() => import('./messaging/templates/TemplateListPage'), 'TemplateListPage');
const ApiKeysPage = lazyPage(() => import('./settings/ApiKeysPage'), 'ApiKeysPage');
const AuditLogPage = lazyPage(() => import('./settings/AuditLogPage'), 'AuditLogPage');
const GeneralPage = lazyPage(() => import('./settings/GeneralPage'), 'GeneralPage');
const HolidaysPage = lazyPage(() => import('./settings/HolidaysPage'), 'HolidaysPage');
const MembersPage = lazyPage(() => import('./settings/MembersPage'), 'MembersPage');

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

/** The lazy pages an element renders: the page itself, or the page inside a permission guard. */
function lazyPagesIn(node: ReactNode): LazyPage<any>[] {
  if (!isValidElement<{ children?: ReactNode }>(node)) return [];
  const page = node.type as Partial<LazyPage<unknown>>;
  if (typeof page.preload === 'function') return [page as LazyPage<any>];
  return lazyPagesIn(node.props.children);
}

/**
 * A first visit straight to a page (a link, a reload) fetches the page's code now, and the node
 * types and the page's first reads together, instead of each waiting for the one before
 * (session → node types → page code → page data). The reads wait for the session check, unless
 * this browser's last check found a user who reads journeys: then they start beside it.
 */
export function warmRoute(router: ReturnType<typeof createRouter>, client: QueryClient): void {
  const matches = matchRoutes(router.routes, window.location) ?? [];
  const pages = matches.flatMap((match) => lazyPagesIn(match.route.element).map((page) => ({ page, match })));
  for (const { page } of pages) void page.preload().catch(() => {});
  const readPage = (readsJourneys: boolean) => {
    if (readsJourneys) void client.prefetchQuery(nodeTypesQuery);
    for (const { page, match } of pages) page.prefetch?.(match.params, client);
  };
  const early = readJourneysLastTime();
  if (early) readPage(true);
  void client
    .fetchQuery(sessionQuery)
    .then((me) => {
      if (!early && me?.workspaceId) readPage(me.permissions.includes('journeys:read'));
    })
    .catch(() => {});
}
