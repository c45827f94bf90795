// cobra's `__complete` wire format: candidate lines, a `:<directive>` line, and the directive's name on stderr.

/** Shell directives, a bitmask exactly as cobra's ShellCompDirective (the scripts test these bits). */
export const Directive = {
  Default: 0,
  Error: 1,
  NoSpace: 2,
  NoFileComp: 4,
  FilterFileExt: 8,
  FilterDirs: 16,
  KeepOrder: 32,
} as const;

const NAMES: [number, string][] = [
  [Directive.Error, "ShellCompDirectiveError"],
  [Directive.NoSpace, "ShellCompDirectiveNoSpace"],
  [Directive.NoFileComp, "ShellCompDirectiveNoFileComp"],
  [Directive.FilterFileExt, "ShellCompDirectiveFilterFileExt"],
  [Directive.FilterDirs, "ShellCompDirectiveFilterDirs"],
  [Directive.KeepOrder, "ShellCompDirectiveKeepOrder"],
];

/** One answer: candidates (`word` or `word\tdescription`) and the directive bitmask. */
export interface Completion {
  candidates: string[];
  directive: number;
}

/** cobra's ShellCompDirective.string(): the set bits' names joined by ", ", or Default. */
export function directiveName(d: number): string {
  if (d >= 64 || d < 0) return `ERROR: unexpected ShellCompDirective value: ${d}`;
  const names = NAMES.filter(([bit]) => (d & bit) !== 0).map(([, n]) => n);
  return names.length > 0 ? names.join(", ") : "ShellCompDirectiveDefault";
}

/**
 * stdout of `__complete`: one candidate per line (description dropped when `descriptions` is
 * false; only its first line kept, trimmed, as cobra does so a newline never makes a second
 * candidate), then `:<directive>`.
 */
export function formatCompletion(c: Completion, descriptions: boolean): string {
  let out = "";
  for (let comp of c.candidates) {
    if (!descriptions) comp = comp.split("\t", 1)[0];
    comp = comp.split("\n", 1)[0].trim();
    out += `${comp}\n`;
  }
  return `${out}:${c.directive}\n`;
}
