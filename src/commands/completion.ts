// `skiff completion bash|zsh`: prints the shell completion script to source.
import { defineCommand } from "./command.ts";
import { UsageError } from "../errors.ts";

const SHELLS = ["bash", "zsh"] as const;
type Shell = (typeof SHELLS)[number];

export default defineCommand<Record<string, never>, { shell: Shell }>({
  name: "completion",
  summary: "Output shell completion code for the specified shell (bash or zsh)",
  group: "Other Commands",
  args: "[shell]",
  completeArgs: { values: [...SHELLS], max: 1 },
  examples: [
    "# Load completion into the current bash shell\nsource <(skiff completion bash)",
    "# Load it in every new bash shell\necho 'source <(skiff completion bash)' >> ~/.bashrc",
    "# Install it for bash system-wide (bash-completion package)\nskiff completion bash | sudo tee /etc/bash_completion.d/skiff >/dev/null",
    "# Load completion into the current zsh shell (compinit must have run)\nsource <(skiff completion zsh)",
    "# Install it for zsh as a completion function on $fpath\nskiff completion zsh > \"${fpath[1]}/_skiff\"",
  ],
  complete(args) {
    // kubectl's wording for both mistakes
    if (args.length === 0) throw new UsageError("Shell not specified.");
    if (args.length > 1) throw new UsageError("Too many arguments. Expected only the shell type.");
    const shell = args[0] as Shell;
    if (!SHELLS.includes(shell)) throw new UsageError(`Unsupported shell type "${args[0]}".`);
    return { shell };
  },
  async run(o, deps) {
    const { BASH_SCRIPT, ZSH_SCRIPT } = await import("../cli/completion/scripts.ts");
    deps.io.out.write(o.shell === "bash" ? BASH_SCRIPT : ZSH_SCRIPT);
  },
});
