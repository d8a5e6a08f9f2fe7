// proto/user.proto loaded for @grpc/grpc-js with @grpc/proto-loader, for the grpc-js twin of the
// user service and the grpc-js service load generator.
import { fileURLToPath } from "node:url";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";

export const USER_PROTO = fileURLToPath(new URL("../../proto/user.proto", import.meta.url));

export interface JsUser {
  id: string;
  username: string;
  email: string;
  fullName: string;
  role: number;
  createdAt: number;
  updatedAt: number;
}
export interface JsCreateUserRequest {
  username: string;
  email: string;
  fullName: string;
  role: number;
}

export function loadUserService(): grpc.ServiceClientConstructor {
  const def = protoLoader.loadSync(USER_PROTO, { longs: Number, enums: Number, defaults: true, keepCase: false });
  const pkg = grpc.loadPackageDefinition(def) as unknown as { user: { UserService: grpc.ServiceClientConstructor } };
  return pkg.user.UserService;
}
