import MailStore
import ServiceLifecycle

extension MailServer {
    /// The outbound queue workers (the outbound issue fills them in).
    func makeDeliveryServices(store: MailStore) throws -> [any Service] { [] }
}
