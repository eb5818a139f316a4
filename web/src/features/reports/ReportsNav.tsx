import { Link } from '@tanstack/react-router';
import './reports.css';

/**
 * The two report pages, drawn as tabs: build a report, and the schedules that send saved ones.
 * They are links between two pages (each its own URL), not a tab list over panels of one page.
 */
export function ReportsNav({ active, groupId }: { active: 'report' | 'scheduled'; groupId: number }) {
  const pages = [
    { key: 'report', to: '/reports', label: 'Report' },
    { key: 'scheduled', to: '/reports/scheduled', label: 'Scheduled reports' },
  ] as const;
  return (
    <nav aria-label="Report pages" className="sb-subnav">
      {pages.map((page) => (
        <Link
          key={page.key}
          to={page.to}
          search={{ group: groupId }}
          aria-current={page.key === active ? 'page' : undefined}
          className="sb-subnav-link"
        >
          {page.label}
        </Link>
      ))}
    </nav>
  );
}
