import Testing

@testable import SpoolBench

@Suite struct HTTPResponseScannerTests {
    static let created = "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 12\r\n\r\n{\"offset\":1}"

    static func scan(_ pieces: [String], into scanner: inout HTTPResponseScanner) throws -> [HTTPResponseScanner.Response] {
        var responses: [HTTPResponseScanner.Response] = []
        for piece in pieces {
            if let response = try Array(piece.utf8).withUnsafeBytes({ try scanner.consume($0) }) { responses.append(response) }
        }
        return responses
    }

    @Test func findsTheEndOfEachResponseWhereverTheBytesAreSplit() throws {
        let bytes = Array(Self.created.utf8)
        for split in 0...bytes.count {
            for second in split...bytes.count {
                var scanner = HTTPResponseScanner()
                let pieces = [bytes[..<split], bytes[split..<second], bytes[second...]].map { String(decoding: $0, as: UTF8.self) }
                let responses = try Self.scan(pieces + [Self.created], into: &scanner)
                #expect(responses == [.init(status: 201, body: []), .init(status: 201, body: [])], "split at \(split), \(second)")
            }
        }
    }

    @Test func keepsTheBodyOfAFailure() throws {
        var scanner = HTTPResponseScanner()
        let error = #"{"error":{"code":"conflict"}}"#
        let responses = try Self.scan(
            ["HTTP/1.1 409 Conflict\r\ncontent-length: \(error.utf8.count)\r\n\r\n", error], into: &scanner)
        #expect(responses == [.init(status: 409, body: Array(error.utf8))])
        #expect(responses.first?.isSuccess == false)
    }

    @Test func aResponseWithoutABodyEndsAtItsHead() throws {
        var scanner = HTTPResponseScanner()
        #expect(try Self.scan(["HTTP/1.1 204 No Content\r\n\r\n"], into: &scanner) == [.init(status: 204, body: [])])
        #expect(try Self.scan(["HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"], into: &scanner) == [.init(status: 200, body: [])])
    }

    @Test(arguments: [
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", "Transfer-Encoding chunked"),
        ("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n", "without Content-Length"),
        ("HTTP/1.1 200 OK\r\nContent-Length: many\r\n\r\n", "Content-Length many"),
        ("SPDY 200 OK\r\nContent-Length: 0\r\n\r\n", "malformed status line"),
        ("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokay", "bytes after a whole response"),
    ])
    func malformedResponsesAreClearErrors(response: String, message: String) {
        var scanner = HTTPResponseScanner()
        let error = #expect(throws: BenchError.self) { try Self.scan([response], into: &scanner) }
        #expect(error?.description.contains(message) == true, "\(error?.description ?? "no error")")
    }
}
