"""grpcio (C-core) interop client (test peer): the test cases of grpc/grpc
doc/interop-test-descriptions.md that need no cloud account. The official Python interop client is
not published on PyPI. grpcio can neither see the compressed flag of received messages (the
server_compressed_* cases check sizes only) nor turn compression off for one message of a client
stream (client_compressed_streaming sends both messages compressed; servers only check
expect_compressed=true). Usage: python client.py --server_host=H --server_port=N --test_case=NAME
[--use_tls=true --use_test_ca=true --server_host_override=foo.test.google.fr]"""
import sys
import threading

import grpc

from common import empty_pb2, messages_pb2, parser, read, test_pb2_grpc

LARGE = dict(response_size=314159, payload=messages_pb2.Payload(body=b"\0" * 271828))


def zeros(n: int) -> messages_pb2.Payload:
    return messages_pb2.Payload(body=b"\0" * n)


def expect_code(fn, code: grpc.StatusCode, message=None) -> None:
    try:
        fn()
    except grpc.RpcError as e:
        assert e.code() == code, f"status {e.code()} ({e.details()}), want {code}"
        if message is not None:
            assert e.details() == message, f"message {e.details()!r}, want {message!r}"
        return
    raise AssertionError(f"call succeeded, want {code}")


def run(case: str, channel: grpc.Channel) -> None:
    stub = test_pb2_grpc.TestServiceStub(channel)
    if case == "empty_unary":
        assert stub.EmptyCall(empty_pb2.Empty()) is not None
    elif case == "large_unary":
        assert len(stub.UnaryCall(messages_pb2.SimpleRequest(**LARGE)).payload.body) == 314159
    elif case == "client_compressed_unary":
        probe = messages_pb2.SimpleRequest(expect_compressed=messages_pb2.BoolValue(value=True), **LARGE)
        expect_code(lambda: stub.UnaryCall(probe), grpc.StatusCode.INVALID_ARGUMENT)
        r = stub.UnaryCall(probe, compression=grpc.Compression.Gzip)
        assert len(r.payload.body) == 314159
        plain = messages_pb2.SimpleRequest(expect_compressed=messages_pb2.BoolValue(value=False), **LARGE)
        assert len(stub.UnaryCall(plain).payload.body) == 314159
    elif case == "server_compressed_unary":
        for v in (True, False):
            req = messages_pb2.SimpleRequest(response_compressed=messages_pb2.BoolValue(value=v), **LARGE)
            assert len(stub.UnaryCall(req).payload.body) == 314159
    elif case == "client_streaming":
        reqs = (messages_pb2.StreamingInputCallRequest(payload=zeros(n)) for n in (27182, 8, 1828, 45904))
        assert stub.StreamingInputCall(reqs).aggregated_payload_size == 74922
    elif case == "client_compressed_streaming":
        probe = messages_pb2.StreamingInputCallRequest(expect_compressed=messages_pb2.BoolValue(value=True), payload=zeros(27182))
        expect_code(lambda: stub.StreamingInputCall(iter([probe])), grpc.StatusCode.INVALID_ARGUMENT)
        reqs = [probe, messages_pb2.StreamingInputCallRequest(expect_compressed=messages_pb2.BoolValue(value=False), payload=zeros(45904))]
        r = stub.StreamingInputCall(iter(reqs), compression=grpc.Compression.Gzip)
        assert r.aggregated_payload_size == 73086, r.aggregated_payload_size
    elif case in ("server_streaming", "server_compressed_streaming"):
        if case == "server_streaming":
            sizes = [31415, 9, 2653, 58979]
            params = [messages_pb2.ResponseParameters(size=s) for s in sizes]
        else:
            sizes = [31415, 92653]
            params = [messages_pb2.ResponseParameters(size=31415, compressed=messages_pb2.BoolValue(value=True)),
                      messages_pb2.ResponseParameters(size=92653, compressed=messages_pb2.BoolValue(value=False))]
        got = [len(r.payload.body) for r in stub.StreamingOutputCall(messages_pb2.StreamingOutputCallRequest(response_parameters=params))]
        assert got == sizes, got
    elif case == "ping_pong":
        steps = [(31415, 27182), (9, 8), (2653, 1828), (58979, 45904)]
        cond = threading.Semaphore(0)
        def requests():
            for size, body in steps:
                yield messages_pb2.StreamingOutputCallRequest(response_parameters=[messages_pb2.ResponseParameters(size=size)], payload=zeros(body))
                cond.acquire()
        got = []
        for r in stub.FullDuplexCall(requests()):
            got.append(len(r.payload.body))
            cond.release()
        assert got == [31415, 9, 2653, 58979], got
    elif case == "empty_stream":
        assert list(stub.FullDuplexCall(iter([]))) == []
    elif case == "custom_metadata":
        md = (("x-grpc-test-echo-initial", "test_initial_metadata_value"), ("x-grpc-test-echo-trailing-bin", b"\xab\xab\xab"))
        def check(initial, trailing):
            assert ("x-grpc-test-echo-initial", "test_initial_metadata_value") in list(initial), initial
            assert ("x-grpc-test-echo-trailing-bin", b"\xab\xab\xab") in list(trailing), trailing
        _, call = stub.UnaryCall.with_call(messages_pb2.SimpleRequest(**LARGE), metadata=md)
        check(call.initial_metadata(), call.trailing_metadata())
        req = messages_pb2.StreamingOutputCallRequest(response_parameters=[messages_pb2.ResponseParameters(size=314159)], payload=zeros(271828))
        call = stub.FullDuplexCall(iter([req]), metadata=md)
        assert [len(r.payload.body) for r in call] == [314159]
        check(call.initial_metadata(), call.trailing_metadata())
    elif case == "status_code_and_message":
        st = messages_pb2.EchoStatus(code=2, message="test status message")
        expect_code(lambda: stub.UnaryCall(messages_pb2.SimpleRequest(response_status=st)), grpc.StatusCode.UNKNOWN, st.message)
        expect_code(lambda: list(stub.FullDuplexCall(iter([messages_pb2.StreamingOutputCallRequest(response_status=st)]))), grpc.StatusCode.UNKNOWN, st.message)
    elif case == "special_status_message":
        msg = "\t\ntest with whitespace\r\nand Unicode BMP \u263a and non-BMP \U0001f608\t\n"
        st = messages_pb2.EchoStatus(code=2, message=msg)
        expect_code(lambda: stub.UnaryCall(messages_pb2.SimpleRequest(response_status=st)), grpc.StatusCode.UNKNOWN, msg)
    elif case == "unimplemented_method":
        expect_code(lambda: stub.UnimplementedCall(empty_pb2.Empty()), grpc.StatusCode.UNIMPLEMENTED)
    elif case == "unimplemented_service":
        u = test_pb2_grpc.UnimplementedServiceStub(channel)
        expect_code(lambda: u.UnimplementedCall(empty_pb2.Empty()), grpc.StatusCode.UNIMPLEMENTED)
    elif case == "cancel_after_begin":
        gate = threading.Event()
        def never():
            gate.wait()
            return
            yield
        fut = stub.StreamingInputCall.future(never())
        cancelled = fut.cancel()
        gate.set()
        # grpcio reports a client-side cancel as a cancelled future (status CANCELLED).
        assert cancelled and fut.cancelled(), "call was not cancelled"
        assert isinstance(_exc(fut), grpc.FutureCancelledError), _exc(fut)
    elif case == "cancel_after_first_response":
        gate = threading.Event()
        def reqs():
            yield messages_pb2.StreamingOutputCallRequest(response_parameters=[messages_pb2.ResponseParameters(size=31415)], payload=zeros(27182))
            gate.wait()
        call = stub.FullDuplexCall(reqs())
        assert len(next(call).payload.body) == 31415
        call.cancel()
        gate.set()
        assert call.code() == grpc.StatusCode.CANCELLED, call.code()
    elif case == "timeout_on_sleeping_server":
        gate = threading.Event()
        def reqs():
            yield messages_pb2.StreamingOutputCallRequest(payload=zeros(27182))
            gate.wait(5)
        call = stub.FullDuplexCall(reqs(), timeout=0.001)
        expect_code(lambda: list(call), grpc.StatusCode.DEADLINE_EXCEEDED)
        gate.set()
    else:
        print(f"unsupported test case {case}", file=sys.stderr)
        sys.exit(2)


def _exc(fut):
    try:
        fut.result()
    except BaseException as e:  # noqa: BLE001
        return e
    return None


def main() -> None:
    p = parser()
    p.add_argument("--server_host", default="localhost")
    p.add_argument("--server_port", type=int, default=10000)
    p.add_argument("--server_host_override", default="")
    p.add_argument("--use_test_ca", type=lambda v: v.lower() in ("true", "1"), default=False)
    p.add_argument("--test_case", default="empty_unary")
    args = p.parse_args()
    target = f"{args.server_host}:{args.server_port}"
    if args.use_tls:
        creds = grpc.ssl_channel_credentials(root_certificates=read("ca.pem") if args.use_test_ca else None)
        opts = (("grpc.ssl_target_name_override", args.server_host_override),) if args.server_host_override else ()
        channel = grpc.secure_channel(target, creds, opts)
    else:
        channel = grpc.insecure_channel(target)
    try:
        run(args.test_case, channel)
    except AssertionError as e:
        print(f"{args.test_case}: FAIL {e}", file=sys.stderr)
        sys.exit(1)
    except grpc.RpcError as e:
        print(f"{args.test_case}: FAIL {e.code()} {e.details()}", file=sys.stderr)
        sys.exit(1)
    finally:
        channel.close()
    print(f"{args.test_case}: PASS")


if __name__ == "__main__":
    main()
