// grpc-go contender for the benchmark: the bench.Echo service of bench/proto/echo.proto on
// google.golang.org/grpc, with a pass-through []byte codec so no protoc step is needed.
// Listens on 127.0.0.1:0 (or -port) and prints "LISTENING <port>" once ready.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"syscall"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/encoding"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protowire"
)

// rawCodec moves already-encoded protobuf bytes; registered as "proto" so it replaces the default.
type rawCodec struct{}

func (rawCodec) Marshal(v any) ([]byte, error) {
	b, ok := v.(*[]byte)
	if !ok {
		return nil, fmt.Errorf("rawCodec: unexpected %T", v)
	}
	return *b, nil
}

func (rawCodec) Unmarshal(data []byte, v any) error {
	b, ok := v.(*[]byte)
	if !ok {
		return fmt.Errorf("rawCodec: unexpected %T", v)
	}
	*b = append((*b)[:0], data...)
	return nil
}

func (rawCodec) Name() string { return "proto" }

// encodePayload encodes bench.Payload{body} (field 1, bytes).
func encodePayload(body []byte) []byte {
	out := make([]byte, 0, len(body)+6)
	if len(body) == 0 {
		return out
	}
	out = protowire.AppendTag(out, 1, protowire.BytesType)
	return protowire.AppendBytes(out, body)
}

// payloadBodyLen returns the length of field 1 of an encoded bench.Payload.
func payloadBodyLen(b []byte) (int, error) {
	n := 0
	for len(b) > 0 {
		num, typ, l := protowire.ConsumeTag(b)
		if l < 0 {
			return 0, protowire.ParseError(l)
		}
		b = b[l:]
		m := protowire.ConsumeFieldValue(num, typ, b)
		if m < 0 {
			return 0, protowire.ParseError(m)
		}
		if num == 1 && typ == protowire.BytesType {
			v, _ := protowire.ConsumeBytes(b)
			n = len(v)
		}
		b = b[m:]
	}
	return n, nil
}

// decodeStreamRequest decodes bench.StreamRequest{count = 1, size = 2}.
func decodeStreamRequest(b []byte) (count, size int, err error) {
	for len(b) > 0 {
		num, typ, l := protowire.ConsumeTag(b)
		if l < 0 {
			return 0, 0, protowire.ParseError(l)
		}
		b = b[l:]
		if typ == protowire.VarintType && (num == 1 || num == 2) {
			v, m := protowire.ConsumeVarint(b)
			if m < 0 {
				return 0, 0, protowire.ParseError(m)
			}
			if num == 1 {
				count = int(int32(v))
			} else {
				size = int(int32(v))
			}
			b = b[m:]
			continue
		}
		m := protowire.ConsumeFieldValue(num, typ, b)
		if m < 0 {
			return 0, 0, protowire.ParseError(m)
		}
		b = b[m:]
	}
	return count, size, nil
}

func unary(_ any, _ context.Context, dec func(any) error, _ grpc.UnaryServerInterceptor) (any, error) {
	in := new([]byte)
	if err := dec(in); err != nil {
		return nil, err
	}
	return in, nil
}

func serverStream(_ any, stream grpc.ServerStream) error {
	in := new([]byte)
	if err := stream.RecvMsg(in); err != nil {
		return err
	}
	count, size, err := decodeStreamRequest(*in)
	if err != nil || count < 0 || size < 0 {
		return status.Error(codes.InvalidArgument, "bad StreamRequest")
	}
	out := encodePayload(make([]byte, size))
	for i := 0; i < count; i++ {
		if err := stream.SendMsg(&out); err != nil {
			return err
		}
	}
	return nil
}

func clientStream(_ any, stream grpc.ServerStream) error {
	count, total := 0, 0
	in := new([]byte)
	for {
		err := stream.RecvMsg(in)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		n, err := payloadBodyLen(*in)
		if err != nil {
			return status.Error(codes.Internal, "bad Payload")
		}
		count++
		total += n
	}
	out := make([]byte, 0, 16)
	if count != 0 {
		out = protowire.AppendTag(out, 1, protowire.VarintType)
		out = protowire.AppendVarint(out, uint64(count))
	}
	if total != 0 {
		out = protowire.AppendTag(out, 2, protowire.VarintType)
		out = protowire.AppendVarint(out, uint64(total))
	}
	return stream.SendMsg(&out)
}

func bidi(_ any, stream grpc.ServerStream) error {
	for {
		in := new([]byte)
		err := stream.RecvMsg(in)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := stream.SendMsg(in); err != nil {
			return err
		}
	}
}

type echoServer interface{}

var echoDesc = grpc.ServiceDesc{
	ServiceName: "bench.Echo",
	HandlerType: (*echoServer)(nil),
	Methods:     []grpc.MethodDesc{{MethodName: "Unary", Handler: unary}},
	Streams: []grpc.StreamDesc{
		{StreamName: "ServerStream", Handler: serverStream, ServerStreams: true},
		{StreamName: "ClientStream", Handler: clientStream, ClientStreams: true},
		{StreamName: "Bidi", Handler: bidi, ServerStreams: true, ClientStreams: true},
	},
	Metadata: "bench/proto/echo.proto",
}

func main() {
	port := flag.Int("port", 0, "TCP port on 127.0.0.1 (0: chosen by the OS)")
	flag.Parse()
	encoding.RegisterCodec(rawCodec{})
	lis, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", *port))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	srv := grpc.NewServer(grpc.MaxRecvMsgSize(64<<20), grpc.MaxSendMsgSize(64<<20))
	srv.RegisterService(&echoDesc, struct{}{})
	fmt.Printf("LISTENING %d\n", lis.Addr().(*net.TCPAddr).Port)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	go func() { <-sig; srv.Stop() }()
	if err := srv.Serve(lis); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
