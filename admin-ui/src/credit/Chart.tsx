import { Box } from '@mui/material';
import { lazy, Suspense } from 'react';
import type { ChartOption } from './EChart';

const Lazy = lazy(async () => ({ default: (await import('./EChart')).EChart }));

/** A chart whose code (ECharts) loads when the first one is drawn; its box holds the place meanwhile. */
export function Chart(props: { option: ChartOption; height?: number; testId?: string }) {
  return (
    <Suspense fallback={<Box sx={{ height: props.height ?? 280 }} />}>
      <Lazy {...props} />
    </Suspense>
  );
}

export type { ChartOption };
