import Testing

@testable import SpoolBench

@Suite struct SSELatencyScannerTests {
    /// Two bench events and a keep-alive, as Spool writes them: one chunk per frame, then the last chunk.
    static let body = chunk("id: 2\nevent: bench/event\ndata: {\"payload\":{\"data\":\"x\",\"sentAt\":1000}}\n\n")
        + chunk(": keep-alive\n\n")
        + chunk("id: 3\nevent: bench/event\ndata: {\"payload\":{\"sentAt\":2500,\"data\":\"y\"}}\n\n")
        + "0\r\n\r\n"

    static func chunk(_ text: String) -> String {
        String(text.utf8.count, radix: 16) + "\r\n" + text + "\r\n"
    }

    static func scan(_ pieces: [String], receivedAt: UInt64 = 5000) throws -> SSELatencyScanner {
        var scanner = SSELatencyScanner()
        for piece in pieces {
            try Array(piece.utf8).withUnsafeBytes { try scanner.consume($0, receivedAt: receivedAt) }
        }
        return scanner
    }

    @Test func measuresEachBenchEventAndSkipsOtherFrames() throws {
        let scanner = try Self.scan([Self.body])
        #expect(scanner.latencies == [4000, 2500])
        #expect(scanner.isFinished)
    }

    @Test func readsTheSameWhereverTheBytesAreSplit() throws {
        let bytes = Array(Self.body.utf8)
        for cut in 1..<bytes.count {
            var scanner = SSELatencyScanner()
            try bytes[..<cut].withUnsafeBytes { try scanner.consume($0, receivedAt: 5000) }
            try bytes[cut...].withUnsafeBytes { try scanner.consume($0, receivedAt: 5000) }
            #expect(scanner.latencies == [4000, 2500], "split at \(cut)")
        }
    }

    @Test func readsFramesThatSpanChunksAndChunksWithSeveralFrames() throws {
        let frames = "data: {\"sentAt\":1}\n\ndata: {\"sentAt\":2}\n\ndata: {\"sent"
        let body = Self.chunk(frames) + Self.chunk("At\":3}\n") + Self.chunk("\n") + "0;last=1\r\n\r\n"
        let scanner = try Self.scan([body], receivedAt: 10)
        #expect(scanner.latencies == [9, 8, 7])
        #expect(scanner.isFinished)
    }

    @Test func acceptsChunkExtensionsAndUppercaseHex() throws {
        let text = String(repeating: "x", count: 29) + "\"sentAt\":7}\n\n"
        let body = "2A;name=value\r\n" + text + "\r\n"
        #expect(text.utf8.count == 0x2A)
        #expect(try Self.scan([body], receivedAt: 9).latencies == [2])
    }

    @Test func aFrameWithoutDigitsAfterItsMarkerIsNotMeasured() throws {
        #expect(try Self.scan([Self.chunk("data: {\"sentAt\":\"soon\"}\n\n")]).latencies.isEmpty)
    }

    @Test(arguments: [
        "zz\r\nhello\r\n",  // not a size
        "\r\n",  // no size at all
        "3\r\nhello\r\n",  // longer than its size
        "5\rhello\r\n",  // CR without LF
        "5\r\nhello\n\n",  // data not ended by CRLF
    ])
    func malformedChunkingIsAnError(body: String) {
        #expect(throws: BenchError.self) { try Self.scan([body]) }
    }

    @Test func stopsAtTheLastChunk() throws {
        let scanner = try Self.scan(["0\r\n\r\n" + Self.chunk("data: {\"sentAt\":1}\n\n")])
        #expect(scanner.isFinished)
        #expect(scanner.latencies.isEmpty)
    }
}
