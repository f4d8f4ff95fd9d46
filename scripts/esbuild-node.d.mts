import type { BuildOptions } from "esbuild";
export declare const NODE_BUNDLE: BuildOptions & { external: string[] };
export declare const REQUIRE_SHIM: string;
