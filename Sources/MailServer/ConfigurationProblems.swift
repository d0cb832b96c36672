/// Every problem found while reading one configuration file, so that `tresor config check` (and
/// any command refusing a file) can name them all at once instead of stopping at the first.
///
/// The readers of one file share one instance: a bad value is recorded and the key treated as
/// unset, so reading goes on with the next key. A key that already has a problem gets no second
/// one (a wrong type followed by "is missing" says nothing new).
final class ConfigurationProblems {
    private(set) var errors: [ConfigurationError] = []

    func add(_ error: ConfigurationError) {
        if !error.key.isEmpty, errors.contains(where: { $0.key == error.key }) { return }
        errors.append(error)
    }

    /// Runs one step of reading; a problem it throws is recorded and reading goes on.
    func collect(_ step: () throws(ConfigurationError) -> Void) {
        do { try step() } catch { add(error) }
    }

    /// In file order (problems without a line last), keeping the order found within one line.
    var sorted: [ConfigurationError] {
        errors.enumerated().sorted { a, b in
            let left = a.element.line ?? .max, right = b.element.line ?? .max
            return left != right ? left < right : a.offset < b.offset
        }.map(\.element)
    }
}
