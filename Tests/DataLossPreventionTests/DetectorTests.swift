import DataLossPrevention
import Testing

@Suite("DLP detectors")
struct DetectorTests {
    @Test("payment card numbers", arguments: [
        ("Card: 4111111111111111, exp 12/29", 1),           // Visa test number, Luhn valid
        ("4111 1111 1111 1111", 1),                          // grouped by spaces
        ("5500-0000-0000-0004", 1),                          // grouped by dashes (Mastercard)
        ("amex 3782 822463 10005 please", 1),                // 15 digits, 4-6-5 groups
        ("6011111111111117", 1),                             // Discover
        ("4222222222222", 1),                                // 13 digits
        ("4111 1111 1111 1111 12 pcs", 1),                   // followed by another number
        ("4111111111111112", 0),                             // 16 digits failing Luhn
        ("1234567812345670", 0),                             // passes Luhn, no card network starts with 1
        ("order 94111111111111111", 0),                      // inside a longer digit run (17 digits, Luhn fails)
        ("41111111111111110000", 0),                         // 20 digits: longer than any card
        ("INV4111111111111111", 0),                          // glued to letters: a reference, not a card
        ("call +49 30 1234 5678 or +1 (555) 010-0199", 0),    // phone numbers
        ("4111 1111 1111", 0),                               // 12 digits: too short
        ("two: 4111111111111111 and 5500000000000004", 2),
    ])
    func cards(text: String, expected: Int) {
        #expect(PaymentCardNumbers.count(in: text) == expected)
    }

    @Test("IBANs", arguments: [
        ("DE89370400440532013000", 1),
        ("DE89 3704 0044 0532 0130 00", 1),                  // printed in groups
        ("pay to de89 3704 0044 0532 0130 00 today", 1),     // lower case
        ("GB82 WEST 1234 5698 7654 32", 1),
        ("FR14 2004 1010 0505 0001 3M02 606", 1),
        ("NL91ABNA0417164300", 1),
        ("BE68539007547034", 1),
        ("CH9300762011623852957", 1),
        ("ES9121000418450200051332", 1),
        ("IT60X0542811101000000123456", 1),
        ("NO9386011117947", 1),
        ("DE89370400440532013001", 0),                       // check digits fail
        ("GB82WEST12345698765433", 0),
        ("DE8937040044053201300", 0),                        // one character short for Germany
        ("DE893704004405320130001", 0),                      // one too many
        ("XX89370400440532013000", 0),                       // no such country
        ("AB12 is no account", 0),
    ])
    func ibans(text: String, expected: Int) {
        #expect(IBANs.count(in: text) == expected)
    }

    @Test func ibanValidity() {
        #expect(IBANs.isValid("gb82 west 1234 5698 7654 32"))
        #expect(!IBANs.isValid("GB82 WEST 1234 5698 7654 3"))
    }

    @Test func luhn() {
        #expect(PaymentCardNumbers.passesLuhn(Array("79927398713".utf8)))
        #expect(!PaymentCardNumbers.passesLuhn(Array("79927398710".utf8)))
    }
}
