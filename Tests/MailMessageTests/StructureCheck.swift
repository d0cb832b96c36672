import MailMessage

/// The invariants every parse must keep, whatever the input (see `MIMEParser`).
enum StructureCheck {
    static func violations(_ message: Message) -> [String] {
        var failures: [String] = []
        let all = 0..<message.raw.count
        func check(_ part: MIMEPart, inside bounds: Range<Int>) {
            let number = part.partNumber
            if part.headerRange.upperBound != part.bodyRange.lowerBound {
                failures.append("\(number): header does not end where the body starts")
            }
            if !all.contains(range: part.headerRange) || !all.contains(range: part.bodyRange) {
                failures.append("\(number): range outside the message")
            }
            if part.headerRange.lowerBound < bounds.lowerBound || part.bodyRange.upperBound > bounds.upperBound {
                failures.append("\(number): outside its parent's body \(bounds)")
            }
            for field in part.header.fields where !part.headerRange.contains(range: field.range) {
                failures.append("\(number): field \(field.name) outside the header")
            }
            for child in part.children { check(child, inside: part.bodyRange) }
        }
        check(message.root, inside: all)
        return failures
    }
}

extension Range where Bound == Int {
    func contains(range other: Range<Int>) -> Bool {
        other.lowerBound >= lowerBound && other.upperBound <= upperBound
    }
}
