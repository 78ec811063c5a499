// The geometry of the status page's small bar charts (one bar per hour), computed here so the template only prints
// numbers into inline SVG: no script, no chart library, nothing for the browser to fetch.

/** The SVG's own units; the page scales it to the card's width. */
export const CHART_WIDTH = 240
export const CHART_HEIGHT = 48
const GAP = 2

export interface Bar {
  x: number
  y: number
  width: number
  height: number
  /** The hour's value (null: nothing that hour), as the bar's tooltip and data-value say it. */
  value: number | null
  title: string
}

export interface BarChart {
  bars: Bar[]
  /** The largest value shown, which the full height stands for (0 when every hour is empty). */
  max: number
}

/** Bars of `values`, one per hour starting at `hours[i]`; `describe` words a bar's tooltip. */
export function barChart(
  values: (number | null)[],
  hours: string[],
  describe: (value: number | null, hour: string) => string,
): BarChart {
  const max = Math.max(0, ...values.map((value) => value ?? 0))
  const slot = CHART_WIDTH / Math.max(values.length, 1)
  const bars = values.map((value, index) => {
    // A value above zero is never drawn thinner than one unit, so a single order still shows.
    const height = value && max > 0 ? Math.max(1, round((value / max) * CHART_HEIGHT)) : 0
    const hour = `${(hours[index] ?? '').slice(11, 16)} UTC`
    return {
      x: round(index * slot + GAP / 2),
      y: CHART_HEIGHT - height,
      width: round(slot - GAP),
      height,
      value,
      title: describe(value, hour),
    }
  })
  return { bars, max }
}

const round = (value: number) => Math.round(value * 100) / 100
