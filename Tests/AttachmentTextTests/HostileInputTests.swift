import AttachmentText
import Foundation
import Synchronization
import Testing
import TestSupport

/// Inputs made to hurt: each ends unextracted with its reason, within the limits, without a crash.
@Suite struct HostileInputTests {
    /// Runs a Python snippet that writes a file; its bytes.
    func made(_ script: String, in directory: URL) async throws -> [UInt8] {
        let file = directory.appendingPathComponent("made.bin")
        let result = try await ChildProcess.run(["python3", "-c", script, file.path])
        try #require(result.status == 0, "\(result.stderr)")
        return try Array(Data(contentsOf: file))
    }

    @Test func aZipBombIsTooLarge() async throws {
        try await withTemporaryDirectory { directory in
            // 64 MiB of zeros deflate to about 64 KiB: a ratio near 1000:1, in a docx and a zip.
            let bomb = try await made("""
                import sys, zipfile
                with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
                    z.writestr("word/document.xml", b"<w:t>" + b"0" * (64 << 20) + b"</w:t>")
                """, in: directory)
            for name in ["bomb.docx", "bomb.zip"] {
                let result = await AttachmentExtractor().extract(AttachmentDocument(fileName: name, mediaType: "application/octet-stream", bytes: bomb))
                #expect(result.state == .notExtracted(.tooLarge), "\(name)")
            }
        }
    }

    @Test func aMemberThatLiesAboutItsSizeIsStoppedAtTheLimit() async throws {
        try await withTemporaryDirectory { directory in
            // The headers claim 1000 bytes; the data expands to 32 MiB.
            let liar = try await made("""
                import sys, zipfile, struct
                with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
                    z.writestr("notes.txt", b"x" * (32 << 20))
                data = bytearray(open(sys.argv[1], "rb").read())
                local = data.find(b"PK\\x03\\x04"); central = data.find(b"PK\\x01\\x02")
                struct.pack_into("<I", data, local + 22, 1000)
                struct.pack_into("<I", data, central + 24, 1000)
                open(sys.argv[1], "wb").write(data)
                """, in: directory)
            let limits = ExtractionLimits(maximumUncompressedBytes: 1 << 20)
            let result = await AttachmentExtractor(limits: limits).extract(
                AttachmentDocument(fileName: "liar.zip", mediaType: "application/zip", bytes: liar))
            #expect(result.state != .extracted)
        }
    }

    @Test func aTwoGigabyteAnnouncedPartIsTooLargeWithoutBeingRead() async throws {
        try await withTemporaryDirectory { directory in
            let announced = try await made("""
                import sys, zipfile, struct
                with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
                    z.writestr("word/document.xml", b"<w:t>small</w:t>")
                data = bytearray(open(sys.argv[1], "rb").read())
                local = data.find(b"PK\\x03\\x04"); central = data.find(b"PK\\x01\\x02")
                struct.pack_into("<I", data, local + 22, 2 << 30)
                struct.pack_into("<I", data, central + 24, 2 << 30)
                open(sys.argv[1], "wb").write(data)
                """, in: directory)
            let result = await AttachmentExtractor().extract(
                AttachmentDocument(fileName: "huge.docx", mediaType: "application/octet-stream", bytes: announced))
            #expect(result.state == .notExtracted(.tooLarge))
        }
    }

    @Test func tooManyMembersAreTooLarge() async throws {
        try await withTemporaryDirectory { directory in
            let many = try await made("""
                import sys, zipfile
                with zipfile.ZipFile(sys.argv[1], "w") as z:
                    for i in range(300): z.writestr("m%d.txt" % i, "x")
                """, in: directory)
            let result = await AttachmentExtractor(limits: ExtractionLimits(maximumMembers: 100)).extract(
                AttachmentDocument(fileName: "many.zip", mediaType: "application/zip", bytes: many))
            #expect(result.state == .notExtracted(.tooLarge))
        }
    }

    @Test func anEncryptedZipMemberIsEncrypted() async throws {
        // A stored member with general purpose bit 0 set (traditional PKWARE encryption).
        try await withTemporaryDirectory { directory in
            let locked = try await made("""
                import sys, zipfile, struct
                with zipfile.ZipFile(sys.argv[1], "w") as z:
                    z.writestr("secret.txt", b"ciphertext")
                data = bytearray(open(sys.argv[1], "rb").read())
                local = data.find(b"PK\\x03\\x04"); central = data.find(b"PK\\x01\\x02")
                struct.pack_into("<H", data, local + 6, 1)
                struct.pack_into("<H", data, central + 8, 1)
                open(sys.argv[1], "wb").write(data)
                """, in: directory)
            let result = await AttachmentExtractor().extract(
                AttachmentDocument(fileName: "locked.zip", mediaType: "application/zip", bytes: locked))
            #expect(result.state == .notExtracted(.encrypted))
        }
    }

    @Test func anEncryptedOfficeFileIsEncrypted() async {
        // [MS-OFFCRYPTO]: an encrypted docx is an OLE compound file, not a ZIP.
        let header: [UInt8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1] + Array(repeating: 0, count: 504)
        let result = await AttachmentExtractor().extract(
            AttachmentDocument(fileName: "locked.docx", mediaType: "application/octet-stream", bytes: header))
        #expect(result.state == .notExtracted(.encrypted))
    }

    @Test func aPDFToolThatNeverEndsIsKilledAtTheTimeLimit() async throws {
        try await withTemporaryDirectory { directory in
            // Stands in for a PDF that keeps the reader busy forever (a looping or endless stream).
            let tool = directory.appendingPathComponent("pdftotext")
            try "#!/bin/sh\nwhile :; do :; done\n".write(to: tool, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: tool.path)
            let extractor = AttachmentExtractor(limits: ExtractionLimits(timeLimit: .seconds(1)), pdf: PDFTextTool(path: tool.path))
            let result = await extractor.extract(AttachmentDocument(fileName: "endless.pdf", mediaType: "application/pdf",
                                                                    bytes: Array("%PDF-1.4\n".utf8)))
            #expect(result.state == .notExtracted(.timedOut))
        }
    }

    @Test func aPDFWithAnEndlessStreamEndsUnextractedOrEmpty() async throws {
        guard PDFTextTool().isAvailable else { return }
        // A content stream that claims 2 GiB and stops after a few bytes, with no trailer.
        let pdf = Array("%PDF-1.4\n1 0 obj << /Length 2147483647 >> stream\nBT /F1 12 Tf (markerendless) Tj".utf8)
            + Array(repeating: UInt8(ascii: " "), count: 1 << 16)
        let result = await AttachmentExtractor(limits: ExtractionLimits(timeLimit: .seconds(20))).extract(
            AttachmentDocument(fileName: "endless.pdf", mediaType: "application/pdf", bytes: pdf))
        #expect(result.state != .extracted || result.text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty)
    }

    @Test func aMissingPDFToolIsReported() async {
        let extractor = AttachmentExtractor(pdf: PDFTextTool(path: "/nonexistent/pdftotext"))
        let result = await extractor.extract(AttachmentDocument(fileName: "a.pdf", mediaType: "application/pdf", bytes: Array("%PDF-1.4".utf8)))
        #expect(result.state == .notExtracted(.toolMissing))
    }

    @Test func anAttachmentOverTheSizeLimitIsNotRead() async {
        let extractor = AttachmentExtractor(limits: ExtractionLimits(maximumAttachmentBytes: 10))
        let result = await extractor.extract(AttachmentDocument(fileName: "a.rtf", mediaType: "application/rtf",
                                                                bytes: Array("{\\rtf1 markerbig words}".utf8)))
        #expect(result.state == .notExtracted(.tooLarge))
    }

    @Test func anInProcessReaderPastItsDeadlineTimesOut() async {
        // A clock that jumps an hour at every reading.
        let ticks = Atomic<Int>(0)
        let start = ContinuousClock.now
        let extractor = AttachmentExtractor(limits: ExtractionLimits(timeLimit: .seconds(60))) {
            start.advanced(by: .seconds(3600 * ticks.add(1, ordering: .relaxed).oldValue))
        }
        let rtf = "{\\rtf1 " + String(repeating: "word ", count: 100_000) + "}"
        let result = await extractor.extract(AttachmentDocument(fileName: "a.rtf", mediaType: "application/rtf", bytes: Array(rtf.utf8)))
        #expect(result.state == .notExtracted(.timedOut))
    }

    @Test func imagesAreUnsupported() async {
        let result = await AttachmentExtractor().extract(
            AttachmentDocument(fileName: "photo.jpg", mediaType: "image/jpeg", bytes: [0xFF, 0xD8, 0xFF, 0xE0]))
        #expect(result.state == .notExtracted(.unsupportedType))
    }
}
