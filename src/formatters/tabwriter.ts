// Go's text/tabwriter (and cli-runtime's width-remembering fork) re-done for strings: the one
// column aligner behind tables, custom columns and describe.

/** Layout knobs, named as in Go's tabwriter.NewWriter(minwidth, tabwidth, padding, ' ', flags). */
export interface TabWriterOptions {
  /** Minimum cell width including padding. */
  minWidth: number;
  /** Spaces added to the widest cell of a column. */
  padding: number;
  /**
   * cli-runtime's RememberWidths flag: a column never gets narrower than it was in an earlier
   * flush of the same writer (kubectl's `get --watch` keeps rows aligned this way).
   */
  rememberWidths?: boolean;
}

/** kubectl get's tab writer: min width 6, padding 3, widths remembered across flushes. */
export const TABLE_LAYOUT: TabWriterOptions = { minWidth: 6, padding: 3, rememberWidths: true };
/** kubectl describe's tab writer: min width 0, padding 2. */
export const DESCRIBE_LAYOUT: TabWriterOptions = { minWidth: 0, padding: 2 };

// SGR and other CSI sequences: colour must never change a column's width.
const ANSI = /\x1b\[[0-9;?]*[ -/]*[@-~]/g;

/** Width of a cell as Go's tabwriter counts it (code points), ignoring ANSI escape sequences. */
export function cellWidth(text: string): number {
  let n = 0;
  for (const _ of text.replace(ANSI, "")) n++;
  return n;
}

/**
 * A buffering tab writer. `write` takes text whose cells end in `\t` and lines in `\n`;
 * `flush` returns the aligned text. The last cell of a line is never part of a column (so it is
 * not padded), and a column spans only consecutive lines that have a cell in it, exactly as in
 * Go. Not thread-safe; state is the pending text and, with rememberWidths, the column widths.
 */
export class TabWriter {
  private readonly opts: TabWriterOptions;
  private pending = "";
  private maxWidths: number[] = [];

  constructor(opts: TabWriterOptions) {
    this.opts = opts;
  }

  write(text: string): void {
    this.pending += text;
  }

  /** Forget remembered widths (kubectl does this between resource types). */
  resetWidths(): void {
    this.maxWidths = [];
  }

  /** Aligns and returns everything written since the last flush. */
  flush(): string {
    const text = this.pending;
    this.pending = "";
    if (text === "") return "";
    const lines = text.split("\n").map((l) => l.split("\t"));
    return this.format(lines);
  }

  /** Aligns rows of cells; each row becomes one line ending in `\n`. */
  formatRows(rows: readonly (readonly string[])[]): string {
    if (rows.length === 0) return "";
    return this.format([...rows.map((r) => [...r]), [""]]);
  }

  // lines: the last entry is the text after the final newline (usually [""]).
  private format(lines: string[][]): string {
    const out: string[] = [];
    const widths: number[] = [];
    const { minWidth, padding, rememberWidths } = this.opts;

    const writeLines = (from: number, to: number): void => {
      for (let i = from; i < to; i++) {
        const line = lines[i];
        for (let j = 0; j < line.length; j++) {
          const cell = line[j];
          out.push(cell);
          if (j < widths.length) out.push(" ".repeat(Math.max(0, widths[j] - cellWidth(cell))));
        }
        if (i + 1 < lines.length) out.push("\n");
      }
    };

    const formatBlock = (line0: number, line1: number): void => {
      const column = widths.length;
      for (let cur = line0; cur < line1; cur++) {
        if (column >= lines[cur].length - 1) continue;
        writeLines(line0, cur);
        line0 = cur;
        let width = minWidth;
        for (; cur < line1; cur++) {
          const line = lines[cur];
          if (column >= line.length - 1) break;
          const w = cellWidth(line[column]) + padding;
          if (w > width) width = w;
        }
        if (rememberWidths) {
          const remembered = this.maxWidths[column];
          if (remembered === undefined || remembered < width) this.maxWidths[column] = width;
          else width = remembered;
        }
        widths.push(width);
        formatBlock(line0, cur);
        widths.pop();
        line0 = cur;
      }
      writeLines(line0, line1);
    };

    formatBlock(0, lines.length);
    return out.join("");
  }
}

/**
 * Aligns rows of cells in one go (a fresh writer): every row is one output line, the last cell
 * of each row unpadded.
 */
export function formatColumns(rows: readonly (readonly string[])[], opts: TabWriterOptions = TABLE_LAYOUT): string {
  return new TabWriter({ ...opts, rememberWidths: false }).formatRows(rows);
}

/** Aligns tab-separated text (describe style) with a fresh writer. */
export function formatTabbed(text: string, opts: TabWriterOptions = DESCRIBE_LAYOUT): string {
  const w = new TabWriter({ ...opts, rememberWidths: false });
  w.write(text);
  return w.flush();
}
