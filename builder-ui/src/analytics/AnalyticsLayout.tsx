import { NavLink, Outlet } from 'react-router';
import './analytics.css';

const tabs = [
  { to: '/analytics', label: 'Overview', end: true },
  { to: '/analytics/rfm', label: 'RFM' },
  { to: '/analytics/clv', label: 'Lifetime value' },
  { to: '/analytics/clusters', label: 'Clusters' },
  { to: '/analytics/affinity', label: 'Product affinity' },
  { to: '/analytics/forecast', label: 'Forecast' },
  { to: '/analytics/funnels', label: 'Funnels' },
  { to: '/analytics/journey-funnel', label: 'Journey funnel' },
  { to: '/analytics/campaign-funnel', label: 'Campaign funnel' },
  { to: '/analytics/cohorts', label: 'Cohorts' },
];

/** The analytics area: one tab per model, each page reads its stored results. */
export function AnalyticsLayout() {
  return (
    <div className="page">
      <div className="page-head">
        <h1>Analytics</h1>
      </div>
      <nav className="analytics-tabs" aria-label="Analytics">
        {tabs.map((tab) => (
          <NavLink key={tab.to} to={tab.to} end={tab.end}>
            {tab.label}
          </NavLink>
        ))}
      </nav>
      <Outlet />
    </div>
  );
}
