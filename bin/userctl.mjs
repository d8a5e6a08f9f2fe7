#!/usr/bin/env node
// userctl: runs src/cli/userctl.ts through tsx's ESM loader (no build step).
import { register } from "tsx/esm/api";

register();
await import("../src/cli/userctl.ts");
