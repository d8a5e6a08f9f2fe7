"""grpcio (C-core) interop server (test peer): grpc.testing.TestService with the server features of
grpc/grpc doc/interop-test-descriptions.md. The official Python interop server is not published on
PyPI. grpcio servers cannot see whether a request message was compressed, so CompressedRequest is
not offered (client_compressed_* are "n/a" against this peer); CompressedResponse is.
Usage: python server.py --port=N [--use_tls=true]"""
import time
from concurrent import futures

import grpc

from common import empty_pb2, messages_pb2, parser, read, test_pb2_grpc


def payload(size: int) -> messages_pb2.Payload:
    return messages_pb2.Payload(body=b"\0" * size)


def echo_metadata(context: grpc.ServicerContext) -> None:
    md = dict(context.invocation_metadata())
    if "x-grpc-test-echo-initial" in md:
        context.send_initial_metadata((("x-grpc-test-echo-initial", md["x-grpc-test-echo-initial"]),))
    if "x-grpc-test-echo-trailing-bin" in md:
        context.set_trailing_metadata((("x-grpc-test-echo-trailing-bin", md["x-grpc-test-echo-trailing-bin"]),))


class TestService(test_pb2_grpc.TestServiceServicer):
    def EmptyCall(self, request, context):
        return empty_pb2.Empty()

    def UnaryCall(self, request, context):
        echo_metadata(context)
        if request.response_status.code != 0:
            context.abort(grpc.StatusCode(_code(request.response_status.code)), request.response_status.message)
        if request.HasField("response_compressed"):
            context.set_compression(grpc.Compression.Gzip if request.response_compressed.value else grpc.Compression.NoCompression)
        return messages_pb2.SimpleResponse(payload=payload(request.response_size))

    def CacheableUnaryCall(self, request, context):
        return messages_pb2.SimpleResponse(payload=messages_pb2.Payload(body=str(time.time_ns()).encode()))

    def _respond(self, requests, context):
        for req in requests:
            if req.response_status.code != 0:
                context.abort(grpc.StatusCode(_code(req.response_status.code)), req.response_status.message)
            for p in req.response_parameters:
                if p.interval_us:
                    time.sleep(p.interval_us / 1e6)
                if p.HasField("compressed"):
                    context.set_compression(grpc.Compression.Gzip)
                    if not p.compressed.value:
                        context.disable_next_message_compression()
                yield messages_pb2.StreamingOutputCallResponse(payload=payload(p.size))

    def StreamingOutputCall(self, request, context):
        yield from self._respond([request], context)

    def StreamingInputCall(self, request_iterator, context):
        total = sum(len(r.payload.body) for r in request_iterator)
        return messages_pb2.StreamingInputCallResponse(aggregated_payload_size=total)

    def FullDuplexCall(self, request_iterator, context):
        echo_metadata(context)
        yield from self._respond(request_iterator, context)

    def HalfDuplexCall(self, request_iterator, context):
        yield from self._respond(list(request_iterator), context)


def _code(n: int):
    for c in grpc.StatusCode:
        if c.value[0] == n:
            return c.value
    return grpc.StatusCode.UNKNOWN.value


def main() -> None:
    p = parser()
    p.add_argument("--port", type=int, default=10000)
    args = p.parse_args()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=16))
    test_pb2_grpc.add_TestServiceServicer_to_server(TestService(), server)
    addr = f"[::]:{args.port}"
    if args.use_tls:
        creds = grpc.ssl_server_credentials(((read("server1.key"), read("server1.pem")),))
        port = server.add_secure_port(addr, creds)
    else:
        port = server.add_insecure_port(addr)
    server.start()
    print(f"grpcio interop server listening on {port}", flush=True)
    server.wait_for_termination()


if __name__ == "__main__":
    main()
