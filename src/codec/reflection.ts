// Implements the messages of grpc/grpc doc/server-reflection.md (packages grpc.reflection.v1 and v1alpha, proto/grpc/reflection/*/reflection.proto) on protobuf.dev "Encoding".

import { defineCodec, type Codec, type CodecParts } from "./codec.js";
import type { Reader } from "./reader.js";
import { WireType } from "./wire-types.js";
import { sizeBytes, sizeInt32, sizeMessage, sizeString, sizeTag, sizeVarint32, type Writer } from "./writer.js";

// v1 and v1alpha have the same messages and field numbers; only the package name differs.

/** ExtensionRequest */
export interface ExtensionRequest {
  containingType: string;
  extensionNumber: number;
  $unknown?: Uint8Array;
}

/**
 * ServerReflectionRequest. The `message_request` oneof is flattened as protobufjs does it: at most
 * one of the optional fields is set (decoding keeps the last one on the wire).
 */
export interface ServerReflectionRequest {
  host: string;
  fileByFilename?: string;
  fileContainingSymbol?: string;
  fileContainingExtension?: ExtensionRequest;
  allExtensionNumbersOfType?: string;
  listServices?: string;
  $unknown?: Uint8Array;
}

/** FileDescriptorResponse: each item is an encoded google.protobuf.FileDescriptorProto. */
export interface FileDescriptorResponse {
  fileDescriptorProto: Uint8Array[];
  $unknown?: Uint8Array;
}

/** ExtensionNumberResponse */
export interface ExtensionNumberResponse {
  baseTypeName: string;
  extensionNumber: number[];
  $unknown?: Uint8Array;
}

/** ServiceResponse */
export interface ServiceResponse {
  name: string;
  $unknown?: Uint8Array;
}

/** ListServiceResponse */
export interface ListServiceResponse {
  service: ServiceResponse[];
  $unknown?: Uint8Array;
}

/** ErrorResponse: a grpc status code and message for one request of the stream. */
export interface ErrorResponse {
  errorCode: number;
  errorMessage: string;
  $unknown?: Uint8Array;
}

/** ServerReflectionResponse; the `message_response` oneof is flattened like the request's. */
export interface ServerReflectionResponse {
  validHost: string;
  originalRequest?: ServerReflectionRequest;
  fileDescriptorResponse?: FileDescriptorResponse;
  allExtensionNumbersResponse?: ExtensionNumberResponse;
  listServicesResponse?: ListServiceResponse;
  errorResponse?: ErrorResponse;
  $unknown?: Uint8Array;
}

const LEN = WireType.LEN;
const VARINT = WireType.VARINT;
const t = (field: number, wt: number): number => (field << 3) | wt;
const unknownSize = (m: { $unknown?: Uint8Array }): number => m.$unknown?.byteLength ?? 0;

/** A proto3 string field: written when non-empty. */
const sizeStr = (field: number, s: string): number => (s !== "" ? sizeTag(field) + sizeString(s) : 0);
/** A oneof member: written whenever set, even when empty. */
const sizeOpt = (field: number, s: string | undefined): number => (s !== undefined ? sizeTag(field) + sizeString(s) : 0);

function clearRequestOneof(m: ServerReflectionRequest): void {
  delete m.fileByFilename;
  delete m.fileContainingSymbol;
  delete m.fileContainingExtension;
  delete m.allExtensionNumbersOfType;
  delete m.listServices;
}

function clearResponseOneof(m: ServerReflectionResponse): void {
  delete m.fileDescriptorResponse;
  delete m.allExtensionNumbersResponse;
  delete m.listServicesResponse;
  delete m.errorResponse;
}

const extensionRequest: CodecParts<ExtensionRequest> = {
  typeName: "ExtensionRequest",
  create: (init) => ({ containingType: "", extensionNumber: 0, ...init }),
  size: (m) => sizeStr(1, m.containingType) + (m.extensionNumber !== 0 ? 1 + sizeInt32(m.extensionNumber) : 0) + unknownSize(m),
  write(m, w) {
    if (m.containingType !== "") w.uint32(t(1, LEN)).string(m.containingType);
    if (m.extensionNumber !== 0) w.uint32(t(2, VARINT)).int32(m.extensionNumber);
    if (m.$unknown) w.raw(m.$unknown);
  },
  read(r) {
    const m: ExtensionRequest = { containingType: "", extensionNumber: 0 };
    while (r.pos < r.end) {
      const tag = r.tag();
      if (tag === t(1, LEN)) m.containingType = r.string();
      else if (tag === t(2, VARINT)) m.extensionNumber = r.int32();
      else m.$unknown = r.unknown(tag, m.$unknown);
    }
    return m;
  },
};

const request: CodecParts<ServerReflectionRequest> = {
  typeName: "ServerReflectionRequest",
  create: (init) => ({ host: "", ...init }),
  size: (m) =>
    sizeStr(1, m.host) +
    sizeOpt(3, m.fileByFilename) +
    sizeOpt(4, m.fileContainingSymbol) +
    (m.fileContainingExtension ? 1 + sizeMessage(extensionRequest, m.fileContainingExtension) : 0) +
    sizeOpt(6, m.allExtensionNumbersOfType) +
    sizeOpt(7, m.listServices) +
    unknownSize(m),
  write(m, w) {
    if (m.host !== "") w.uint32(t(1, LEN)).string(m.host);
    if (m.fileByFilename !== undefined) w.uint32(t(3, LEN)).string(m.fileByFilename);
    if (m.fileContainingSymbol !== undefined) w.uint32(t(4, LEN)).string(m.fileContainingSymbol);
    if (m.fileContainingExtension) w.uint32(t(5, LEN)).message(extensionRequest, m.fileContainingExtension);
    if (m.allExtensionNumbersOfType !== undefined) w.uint32(t(6, LEN)).string(m.allExtensionNumbersOfType);
    if (m.listServices !== undefined) w.uint32(t(7, LEN)).string(m.listServices);
    if (m.$unknown) w.raw(m.$unknown);
  },
  read(r) {
    const m: ServerReflectionRequest = { host: "" };
    while (r.pos < r.end) {
      const tag = r.tag();
      switch (tag) {
        case t(1, LEN):
          m.host = r.string();
          break;
        case t(3, LEN):
          clearRequestOneof(m);
          m.fileByFilename = r.string();
          break;
        case t(4, LEN):
          clearRequestOneof(m);
          m.fileContainingSymbol = r.string();
          break;
        case t(5, LEN):
          clearRequestOneof(m);
          m.fileContainingExtension = r.message(extensionRequest);
          break;
        case t(6, LEN):
          clearRequestOneof(m);
          m.allExtensionNumbersOfType = r.string();
          break;
        case t(7, LEN):
          clearRequestOneof(m);
          m.listServices = r.string();
          break;
        default:
          m.$unknown = r.unknown(tag, m.$unknown);
      }
    }
    return m;
  },
};

const fileDescriptorResponse: CodecParts<FileDescriptorResponse> = {
  typeName: "FileDescriptorResponse",
  create: (init) => ({ fileDescriptorProto: [], ...init }),
  size(m) {
    let n = unknownSize(m);
    for (const b of m.fileDescriptorProto) n += 1 + sizeBytes(b);
    return n;
  },
  write(m, w) {
    for (const b of m.fileDescriptorProto) w.uint32(t(1, LEN)).bytes(b);
    if (m.$unknown) w.raw(m.$unknown);
  },
  read(r) {
    const m: FileDescriptorResponse = { fileDescriptorProto: [] };
    while (r.pos < r.end) {
      const tag = r.tag();
      if (tag === t(1, LEN)) m.fileDescriptorProto.push(r.bytes());
      else m.$unknown = r.unknown(tag, m.$unknown);
    }
    return m;
  },
};

function packedSize(values: readonly number[]): number {
  let n = 0;
  for (const v of values) n += sizeInt32(v);
  return n;
}

const extensionNumberResponse: CodecParts<ExtensionNumberResponse> = {
  typeName: "ExtensionNumberResponse",
  create: (init) => ({ baseTypeName: "", extensionNumber: [], ...init }),
  size(m) {
    const packed = packedSize(m.extensionNumber);
    return sizeStr(1, m.baseTypeName) + (packed > 0 ? 1 + sizeVarint32(packed) + packed : 0) + unknownSize(m);
  },
  write(m, w) {
    if (m.baseTypeName !== "") w.uint32(t(1, LEN)).string(m.baseTypeName);
    if (m.extensionNumber.length > 0) {
      // proto3 packs repeated scalars.
      w.uint32(t(2, LEN)).uint32(packedSize(m.extensionNumber));
      for (const v of m.extensionNumber) w.int32(v);
    }
    if (m.$unknown) w.raw(m.$unknown);
  },
  read(r) {
    const m: ExtensionNumberResponse = { baseTypeName: "", extensionNumber: [] };
    while (r.pos < r.end) {
      const tag = r.tag();
      if (tag === t(1, LEN)) m.baseTypeName = r.string();
      else if (tag === t(2, LEN) || tag === t(2, VARINT)) r.packed(tag, m.extensionNumber, readInt32);
      else m.$unknown = r.unknown(tag, m.$unknown);
    }
    return m;
  },
};

function readInt32(r: Reader): number {
  return r.int32();
}

const serviceResponse: CodecParts<ServiceResponse> = {
  typeName: "ServiceResponse",
  create: (init) => ({ name: "", ...init }),
  size: (m) => sizeStr(1, m.name) + unknownSize(m),
  write(m, w) {
    if (m.name !== "") w.uint32(t(1, LEN)).string(m.name);
    if (m.$unknown) w.raw(m.$unknown);
  },
  read(r) {
    const m: ServiceResponse = { name: "" };
    while (r.pos < r.end) {
      const tag = r.tag();
      if (tag === t(1, LEN)) m.name = r.string();
      else m.$unknown = r.unknown(tag, m.$unknown);
    }
    return m;
  },
};

const listServiceResponse: CodecParts<ListServiceResponse> = {
  typeName: "ListServiceResponse",
  create: (init) => ({ service: [], ...init }),
  size(m) {
    let n = unknownSize(m);
    for (const s of m.service) n += 1 + sizeMessage(serviceResponse, s);
    return n;
  },
  write(m, w) {
    for (const s of m.service) w.uint32(t(1, LEN)).message(serviceResponse, s);
    if (m.$unknown) w.raw(m.$unknown);
  },
  read(r) {
    const m: ListServiceResponse = { service: [] };
    while (r.pos < r.end) {
      const tag = r.tag();
      if (tag === t(1, LEN)) m.service.push(r.message(serviceResponse));
      else m.$unknown = r.unknown(tag, m.$unknown);
    }
    return m;
  },
};

const errorResponse: CodecParts<ErrorResponse> = {
  typeName: "ErrorResponse",
  create: (init) => ({ errorCode: 0, errorMessage: "", ...init }),
  size: (m) => (m.errorCode !== 0 ? 1 + sizeInt32(m.errorCode) : 0) + sizeStr(2, m.errorMessage) + unknownSize(m),
  write(m, w) {
    if (m.errorCode !== 0) w.uint32(t(1, VARINT)).int32(m.errorCode);
    if (m.errorMessage !== "") w.uint32(t(2, LEN)).string(m.errorMessage);
    if (m.$unknown) w.raw(m.$unknown);
  },
  read(r) {
    const m: ErrorResponse = { errorCode: 0, errorMessage: "" };
    while (r.pos < r.end) {
      const tag = r.tag();
      if (tag === t(1, VARINT)) m.errorCode = r.int32();
      else if (tag === t(2, LEN)) m.errorMessage = r.string();
      else m.$unknown = r.unknown(tag, m.$unknown);
    }
    return m;
  },
};

const response: CodecParts<ServerReflectionResponse> = {
  typeName: "ServerReflectionResponse",
  create: (init) => ({ validHost: "", ...init }),
  size: (m) =>
    sizeStr(1, m.validHost) +
    (m.originalRequest ? 1 + sizeMessage(request, m.originalRequest) : 0) +
    (m.fileDescriptorResponse ? 1 + sizeMessage(fileDescriptorResponse, m.fileDescriptorResponse) : 0) +
    (m.allExtensionNumbersResponse ? 1 + sizeMessage(extensionNumberResponse, m.allExtensionNumbersResponse) : 0) +
    (m.listServicesResponse ? 1 + sizeMessage(listServiceResponse, m.listServicesResponse) : 0) +
    (m.errorResponse ? 1 + sizeMessage(errorResponse, m.errorResponse) : 0) +
    unknownSize(m),
  write(m, w) {
    if (m.validHost !== "") w.uint32(t(1, LEN)).string(m.validHost);
    if (m.originalRequest) w.uint32(t(2, LEN)).message(request, m.originalRequest);
    if (m.fileDescriptorResponse) w.uint32(t(4, LEN)).message(fileDescriptorResponse, m.fileDescriptorResponse);
    if (m.allExtensionNumbersResponse) w.uint32(t(5, LEN)).message(extensionNumberResponse, m.allExtensionNumbersResponse);
    if (m.listServicesResponse) w.uint32(t(6, LEN)).message(listServiceResponse, m.listServicesResponse);
    if (m.errorResponse) w.uint32(t(7, LEN)).message(errorResponse, m.errorResponse);
    if (m.$unknown) w.raw(m.$unknown);
  },
  read(r) {
    const m: ServerReflectionResponse = { validHost: "" };
    while (r.pos < r.end) {
      const tag = r.tag();
      switch (tag) {
        case t(1, LEN):
          m.validHost = r.string();
          break;
        case t(2, LEN):
          m.originalRequest = r.message(request);
          break;
        case t(4, LEN):
          clearResponseOneof(m);
          m.fileDescriptorResponse = r.message(fileDescriptorResponse);
          break;
        case t(5, LEN):
          clearResponseOneof(m);
          m.allExtensionNumbersResponse = r.message(extensionNumberResponse);
          break;
        case t(6, LEN):
          clearResponseOneof(m);
          m.listServicesResponse = r.message(listServiceResponse);
          break;
        case t(7, LEN):
          clearResponseOneof(m);
          m.errorResponse = r.message(errorResponse);
          break;
        default:
          m.$unknown = r.unknown(tag, m.$unknown);
      }
    }
    return m;
  },
};

/** The request and response codecs of one reflection package. */
export interface ReflectionCodecs {
  readonly request: Codec<ServerReflectionRequest>;
  readonly response: Codec<ServerReflectionResponse>;
}

function codecsFor(pkg: string): ReflectionCodecs {
  return {
    request: defineCodec({ ...request, typeName: `${pkg}.ServerReflectionRequest` }),
    response: defineCodec({ ...response, typeName: `${pkg}.ServerReflectionResponse` }),
  };
}

/** grpc.reflection.v1 */
export const reflectionV1: ReflectionCodecs = codecsFor("grpc.reflection.v1");
/** grpc.reflection.v1alpha (same wire format as v1) */
export const reflectionV1alpha: ReflectionCodecs = codecsFor("grpc.reflection.v1alpha");
