export declare const MALLOC_TUNABLE: string;
export declare function withMallocTuning(
  env: NodeJS.ProcessEnv,
  platform?: NodeJS.Platform,
): NodeJS.ProcessEnv | undefined;
