import NIOCore
import ServerKit
import Testing

@Suite struct CRLFFramerTests {
    private func lines(_ input: String, limit: Int = 100, chunk: Int) -> [String] {
        var framer = CRLFFramer(maximumLineLength: limit)
        var out: [String] = []
        let bytes = Array(input.utf8)
        var index = 0
        while index < bytes.count {
            let end = min(index + chunk, bytes.count)
            framer.append(ByteBuffer(bytes: bytes[index..<end]))
            index = end
            while let line = framer.nextLine() {
                switch line {
                case .success(let buffer): out.append(String(buffer: buffer))
                case .failure(let error): out.append("!\(error)")
                }
            }
        }
        return out
    }

    @Test(arguments: [1, 2, 3, 7, 1000])
    func splitsLinesHoweverBytesArrive(chunk: Int) {
        #expect(lines("EHLO a\r\nMAIL FROM:<>\r\n\r\nQUIT\r\n", chunk: chunk) == ["EHLO a", "MAIL FROM:<>", "", "QUIT"])
    }

    @Test(arguments: [1, 4, 1000])
    func bareLineFeedIsRejectedNotRepaired(chunk: Int) {
        #expect(lines("NOOP\nQUIT\r\n", chunk: chunk) == ["!bareLineFeed", "QUIT"])
        #expect(lines("\n.\nRSET\r\n", chunk: chunk) == ["!bareLineFeed", "!bareLineFeed", "RSET"])
    }

    @Test(arguments: [1, 4, 1000])
    func bareCarriageReturnIsRejected(chunk: Int) {
        #expect(lines("NO\rOP\r\nQUIT\r\n", chunk: chunk) == ["!bareCarriageReturn", "QUIT"])
    }

    @Test(arguments: [1, 5, 1000])
    func longLinesAreDiscardedAndReportedOnce(chunk: Int) {
        let long = String(repeating: "x", count: 50)
        #expect(lines("\(long)\r\nOK\r\n", limit: 10, chunk: chunk) == ["!lineTooLong", "OK"])
        #expect(lines("0123456789\r\n", limit: 10, chunk: chunk) == ["0123456789"])
        #expect(lines("0123456789A\r\nB\r\n", limit: 10, chunk: chunk) == ["!lineTooLong", "B"])
    }

    @Test func bufferStaysBoundedWhileDiscarding() {
        var framer = CRLFFramer(maximumLineLength: 10)
        framer.append(ByteBuffer(repeating: UInt8(ascii: "x"), count: 100))
        #expect(framer.nextLine() == .failure(.lineTooLong))
        for _ in 0..<100 {
            framer.append(ByteBuffer(repeating: UInt8(ascii: "x"), count: 1000))
            #expect(framer.nextLine() == nil)
            #expect(framer.bufferedBytes == 0)
        }
        framer.append(ByteBuffer(string: "\r\nNEXT\r\n"))
        #expect(framer.nextLine() == .success(ByteBuffer(string: "NEXT")))
    }

    @Test func rawBytesAndPutBack() {
        var framer = CRLFFramer(maximumLineLength: 100)
        framer.append(ByteBuffer(string: "BDAT 3\r\nab\ncQUIT\r\n"))
        #expect(framer.nextLine() == .success(ByteBuffer(string: "BDAT 3")))
        #expect(framer.readBytes(upTo: 3) == ByteBuffer(string: "ab\n"))
        var rest = framer.takeAll()!
        #expect(rest.readInteger(as: UInt8.self) == UInt8(ascii: "c"))
        framer.putBack(rest)
        #expect(framer.nextLine() == .success(ByteBuffer(string: "QUIT")))
        #expect(framer.bufferedBytes == 0)
    }
}
