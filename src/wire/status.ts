// Implements gRPC "Status codes and their use in gRPC" (https://github.com/grpc/grpc/blob/master/doc/statuscodes.md).

/** The 17 canonical gRPC status codes. */
export const Status = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const;

export type StatusName = keyof typeof Status;
export type StatusCode = (typeof Status)[StatusName];

const names: readonly StatusName[] = (Object.keys(Status) as StatusName[]).sort((a, b) => Status[a] - Status[b]);

/** `statusName(5)` → `"NOT_FOUND"`; out-of-range numbers give `"CODE_<n>"`. */
export function statusName(code: number): string {
  return isStatusCode(code) ? names[code] : `CODE_${code}`;
}

export function isStatusCode(value: number): value is StatusCode {
  return Number.isInteger(value) && value >= 0 && value <= 16;
}

/**
 * Parses a received `grpc-status` value. Per statuscodes.md, a code outside 0..16 is treated as
 * UNKNOWN; a missing or non-numeric value is a protocol error the caller maps (usually UNKNOWN/INTERNAL).
 */
export function parseStatusCode(value: string | undefined): StatusCode | undefined {
  if (value === undefined || !/^\d{1,10}$/.test(value)) return undefined;
  const n = Number(value);
  return isStatusCode(n) ? n : Status.UNKNOWN;
}
