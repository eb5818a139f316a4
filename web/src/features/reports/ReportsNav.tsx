import { Tabs } from '@mantine/core';
import { useNavigate } from '@tanstack/react-router';

/** The two report pages as tabs: build a report, and the schedules that send saved ones. */
export function ReportsNav({ active, groupId }: { active: 'report' | 'scheduled'; groupId: number }) {
  const navigate = useNavigate();
  return (
    <Tabs
      value={active}
      onChange={(value) =>
        navigate({
          to: value === 'scheduled' ? '/reports/scheduled' : '/reports',
          search: { group: groupId },
        })
      }
    >
      <Tabs.List>
        <Tabs.Tab value="report">Report</Tabs.Tab>
        <Tabs.Tab value="scheduled">Scheduled reports</Tabs.Tab>
      </Tabs.List>
    </Tabs>
  );
}
