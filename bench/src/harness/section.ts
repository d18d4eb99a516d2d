// What each measurement hands back: tables already reduced to medians and ratios, plus the one-line
// findings (where Handset is ahead of or behind its peer) that the Summary collects.

export interface Table {
  columns: string[];
  rows: string[][];
}

export interface Section {
  title: string;
  /** The sizes this section ran with, as printed under its title. */
  parameters: string;
  tables: Table[];
  notes: string[];
  /** Findings in Handset's favour, measured against a peer (not against a ceiling). */
  ahead: string[];
  /** Findings against Handset: slower or bigger than a peer, or the cost relative to a ceiling. */
  behind: string[];
}

export interface BenchContext {
  quick: boolean;
  /** Runs per figure; every figure is the median of these. */
  runs: number;
  log(message: string): void;
}

export interface Measurement {
  name: string;
  run(context: BenchContext): Promise<Section>;
}

export function renderTable(table: Table): string {
  const header = `| ${table.columns.join(' | ')} |`;
  const rule = `| ${table.columns.map(() => '---').join(' | ')} |`;
  const rows = table.rows.map((row) => `| ${row.join(' | ')} |`);
  return [header, rule, ...rows].join('\n');
}
