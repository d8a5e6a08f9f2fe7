// The user service's public surface: start it, call it, or reuse its parts (see docs/SERVICE.md).

export { startUserService, registerStandardServices, type StartOptions, type RunningUserService } from "./app.js";
export { addHealthAndReflection, type HealthAndReflectionOptions } from "./standard-services.js";
export { HealthService, HealthServiceDescriptor, ServingStatus } from "./health.js";
export { loadConfig, usage, SETTINGS, type ServiceConfig, type LogLevel, type TlsFiles } from "./config.js";
export { UserServiceClient, BatchCreateStream, UserUpdateStream, type UserServiceClientOptions } from "./user-client.js";
export { UserServiceDescriptor, userServiceImplementation } from "./user-service.js";
export { UserHandlers, type UserCallContext, type UserHandlersOptions } from "./user-handlers.js";
export { userServiceInterceptors, principalOf, REQUEST_ID_HEADER, type InterceptorDeps } from "./interceptors.js";
export { TokenAuthenticator, parseAuthTokens, parseBearer, generateToken, type Principal, type TokenEntry } from "./auth.js";
export { METHOD_ROLES, PUBLIC_SERVICES, isAllowed } from "./authorization.js";
export { createLogger, type Logger } from "./logger.js";
export { MemoryUserStore } from "../store/memory-store.js";
export { StoreError, type UserStore, type UserRecord, type NewUser, type UserPatch, type ListFilter, type UserSnapshot } from "../store/user-store.js";
