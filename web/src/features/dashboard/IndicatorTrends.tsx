import { Card, Group, SimpleGrid, Skeleton, Text, Title, VisuallyHidden } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import type uPlot from 'uplot';
import { CardLink } from '../../components/links';
import { UPlotChart } from '../../components/UPlotChart';
import { formatCount, formatDay, formatPercent } from '../../lib/format';
import type { CallFilters } from '../calls/search';
import { indicatorTrendsQuery } from '../intel/queries';
import type { IndicatorTrend } from '../intel/types';

/** A sparkline: the share of analysed calls that scored the indicator, per period, 0-100 %. */
const SPARK_OPTIONS: Omit<uPlot.Options, 'width' | 'height'> = {
  scales: { x: { time: false }, y: { range: [0, 100] } },
  axes: [{ show: false }, { show: false }],
  series: [{}, { stroke: '#1151c5', fill: 'rgba(17, 81, 197, 0.10)', width: 2, points: { show: false } }],
  cursor: { show: false },
  legend: { show: false },
  padding: [4, 2, 2, 2],
};

/** The change in share against the previous period, in percentage points. */
function change(trend: IndicatorTrend, hasPrevious: boolean): { text: string; color: string } {
  if (!hasPrevious) return { text: 'no analysed calls before', color: 'dimmed' };
  const points = Math.round((trend.share - trend.previous_share) * 100);
  if (points === 0) return { text: 'same as the previous period', color: 'dimmed' };
  return {
    text: `${points > 0 ? '+' : '−'}${Math.abs(points)} pts vs the previous period (${Math.round(trend.previous_share * 100)}%)`,
    color: points > 0 ? 'teal.8' : 'orange.8',
  };
}

function TrendTile({
  trend,
  analyzed,
  hasPrevious,
  to,
}: {
  trend: IndicatorTrend;
  analyzed: number;
  hasPrevious: boolean;
  to: CallFilters;
}) {
  const data = useMemo<uPlot.AlignedData>(
    () => [trend.periods.map((_, index) => index), trend.periods.map((period) => period.share * 100)],
    [trend.periods],
  );
  const delta = change(trend, hasPrevious);
  return (
    <CardLink
      to="/calls"
      search={to}
      title={`Open the calls that scored ${trend.indicator_name} in the call log`}
      p="sm"
      withBorder
      data-testid={`indicator-trend-${trend.indicator_id}`}
    >
      <Group justify="space-between" wrap="nowrap" gap="xs">
        <Text size="sm" fw={600} truncate>
          {trend.indicator_name}
        </Text>
        <Text size="sm" fw={700} className="sb-tabular" data-share>
          {formatPercent(trend.scored, analyzed)}
        </Text>
      </Group>
      <Text size="xs" c="dimmed" className="sb-tabular" data-scored>
        {formatCount(trend.scored)} of {formatCount(analyzed)} analysed calls
      </Text>
      <UPlotChart
        options={SPARK_OPTIONS}
        data={data}
        height={44}
        label={`${trend.indicator_name}: share of analysed calls per period`}
      />
      <Text size="xs" c={delta.color} data-change>
        {delta.text}
      </Text>
    </CardLink>
  );
}

/**
 * The dashboard's indicator trends: per indicator, the share of the range's analysed calls that
 * scored it (50 or more), per day or week, against the previous period; a tile opens those calls.
 */
export function IndicatorTrends({
  groupId,
  range,
  timeZone,
  interval,
  drillBase,
}: {
  groupId: number;
  range: { from: string; to: string };
  timeZone: string;
  interval: 'day' | 'week';
  drillBase: CallFilters;
}) {
  const { data } = useQuery(indicatorTrendsQuery({ groupId, ...range, timeZone, interval }));
  return (
    <Card p="md" data-testid="indicator-trends">
      <Group justify="space-between" mb="sm" wrap="wrap" gap="xs">
        <Title order={2} size="h4" id="indicator-trends-title">
          Indicator trends
        </Title>
        {data && (
          <Text size="xs" c="dimmed" data-testid="indicator-trends-analyzed">
            {formatCount(data.analyzed)} analysed calls · share scoring {data.threshold} or more per{' '}
            {interval}
          </Text>
        )}
      </Group>
      {!data ? (
        <Skeleton h={120} />
      ) : data.analyzed === 0 && data.previous_analyzed === 0 ? (
        <Text c="dimmed" size="sm" py="md" ta="center">
          No analysed calls in this range. Calls are scored once their recording is transcribed.
        </Text>
      ) : (
        <SimpleGrid cols={{ base: 1, xs: 2, md: 3, xl: 4 }} spacing="sm">
          {data.indicators.map((trend) => (
            <TrendTile
              key={`${trend.indicator_id}-${interval}-${range.from}-${range.to}`}
              trend={trend}
              analyzed={data.analyzed}
              hasPrevious={data.previous_analyzed > 0}
              to={{ ...drillBase, indicator: trend.indicator_id }}
            />
          ))}
        </SimpleGrid>
      )}
      {data && (
        <VisuallyHidden>
          <table>
            <caption>Analysed calls scoring each indicator per {interval}</caption>
            <thead>
              <tr>
                <th>Indicator</th>
                {data.indicators[0]?.periods.map((period) => (
                  <th key={period.period_start}>{formatDay(period.period_start)}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {data.indicators.map((trend) => (
                <tr key={trend.indicator_id}>
                  <td>{trend.indicator_name}</td>
                  {trend.periods.map((period) => (
                    <td key={period.period_start}>
                      {period.scored} of {period.analyzed}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </VisuallyHidden>
      )}
    </Card>
  );
}
