// Colour that marks meaning (pod and node status, warnings, errors), only when io.colour is on.
// Load this module lazily, and only then: chalk is not needed when colour is off.
import { Chalk, type ChalkInstance } from "chalk";
import type { Sink } from "../deps.ts";

const GOOD = new Set(["Running", "Completed", "Succeeded", "Ready", "Active", "Bound", "Complete"]);
const BAD = new Set(["Failed", "Error", "CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull", "Evicted", "NotReady",
  "OOMKilled", "InvalidImageName", "CreateContainerConfigError", "CreateContainerError", "RunContainerError",
  "ContainerStatusUnknown", "Unknown", "Lost"]);
const WAITING = new Set(["Pending", "ContainerCreating", "Terminating", "PodInitializing", "New", "Waiting"]);

/** A fixed-level chalk: io.colour has already decided, so chalk's own TTY detection must not second-guess it. */
function palette(): ChalkInstance {
  return new Chalk({ level: 1 });
}

/** The colour of a status word: green, red, yellow, or undefined for none. `Init:0/1` waits; `Init:Error` fails. */
export function statusTone(text: string): "good" | "bad" | "waiting" | undefined {
  const word = text.startsWith("Init:") ? text.slice(5) : text;
  // node STATUS may read "Ready,SchedulingDisabled": its first word decides
  const first = word.split(",", 1)[0];
  if (BAD.has(first)) return "bad";
  if (text.startsWith("Init:") || WAITING.has(first)) return "waiting";
  if (GOOD.has(first)) return "good";
  return undefined;
}

/**
 * The table printer's cell hook (TableOptions.colour): colours STATUS cells by statusTone and
 * leaves every other cell as is. The printer measures widths without ANSI codes, so columns
 * line up exactly as without colour.
 */
export function tableColourHook(): (header: string, cell: string) => string {
  const c = palette();
  return (header, cell) => {
    if (header !== "STATUS") return cell;
    switch (statusTone(cell)) {
      case "good": return c.green(cell);
      case "bad": return c.red(cell);
      case "waiting": return c.yellow(cell);
      default: return cell;
    }
  };
}

/**
 * Wraps stderr so lines starting `error:` or `Error from server` are red and `Warning:` lines
 * yellow; everything else passes through unchanged. Works per write: each writer writes whole lines.
 */
export function colourStderr(sink: Sink): Sink {
  const c = palette();
  return {
    write(chunk: string) {
      sink.write(chunk.replace(/^(error:|Error from server|Error in configuration|Warning:)(.*)$/gm,
        (line: string, marker: string) => (marker === "Warning:" ? c.yellow(line) : c.red(line))));
    },
  };
}

