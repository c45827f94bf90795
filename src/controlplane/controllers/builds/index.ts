// The build controllers the controller manager runs: builds, BuildConfig triggers, and image
// stream tag tracking.
import type { Controller, ControllerContext } from "../shared.ts";
import { BuildController, type BuildControllerOptions } from "./build-controller.ts";
import { BuildConfigController } from "./buildconfig-controller.ts";
import { ImageStreamTagTracker } from "./image-stream-controller.ts";

export { BuildController, type BuildControllerOptions } from "./build-controller.ts";
export { BuildConfigController } from "./buildconfig-controller.ts";
export { ImageStreamTagTracker } from "./image-stream-controller.ts";

/** The build controllers, unregistered (the manager registers, runs and stops them). */
export interface BuildControllers {
  build: BuildController;
  buildConfig: BuildConfigController;
  imageStreams: ImageStreamTagTracker;
  all: Controller[];
}

/** Creates the build, BuildConfig-trigger and tag-tracking controllers over one context. */
export function startBuildControllers(ctx: ControllerContext, opts: BuildControllerOptions = {}): BuildControllers {
  const build = new BuildController(ctx, opts);
  const buildConfig = new BuildConfigController(ctx);
  const imageStreams = new ImageStreamTagTracker(ctx);
  return { build, buildConfig, imageStreams, all: [build, buildConfig, imageStreams] };
}
