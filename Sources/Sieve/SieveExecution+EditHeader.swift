import MailMessage

/// `addheader` and `deleteheader` (RFC 5293): they change the message the rest of the run reads
/// (`SieveMessageCache`), and the outcome carries the edited message for the delivery side.
extension SieveExecution {
    /// RFC 5293 §4. A field name that is not one (it came from a variable) is a run-time error;
    /// a protected field (`SieveHeaderEditor.protectedFromAdding`) is left alone, as Pigeonhole
    /// denies the change and goes on.
    mutating func addHeader(_ arguments: SieveArguments, at location: SourceLocation) throws(SieveError) {
        let name = try string(arguments, 0, at: location)
        let value = try string(arguments, 1, at: location)
        guard SieveHeaderEditor.isFieldName(name) else {
            throw SieveError("addheader: invalid field name \"\(name)\"", at: location)
        }
        guard value.utf8.count <= limits.addedHeaderValueSize else {
            throw SieveError("addheader: value longer than \(limits.addedHeaderValueSize) bytes", at: location)
        }
        guard SieveHeaderEditor.mayAdd(name) else { return }
        cache.replace(with: SieveHeaderEditor.adding(name, value: value, last: arguments.has("last"), to: cache.message))
    }

    /// RFC 5293 §5: the fields of that name, narrowed to the `:index`-th (counted from the end
    /// with `:last`), then to those whose decoded value matches a value pattern (when any are
    /// given; the comparator and match type count only then). Match variables are left as
    /// they were. Protected fields are left alone (see `addHeader`).
    mutating func deleteHeader(_ arguments: SieveArguments, at location: SourceLocation) throws(SieveError) {
        let name = try string(arguments, 0, at: location)
        guard SieveHeaderEditor.isFieldName(name) else {
            throw SieveError("deleteheader: invalid field name \"\(name)\"", at: location)
        }
        guard SieveHeaderEditor.mayDelete(name) else { return }
        let message = cache.message
        var candidates = message.header.fields.indices.filter {
            message.header.fields[$0].name.lowercased() == name.lowercased()
        }
        if case .number(let index)?? = arguments.tags["index"] {
            // §5: counting starts at 1; an index past the fields deletes nothing.
            guard index >= 1, index <= UInt64(candidates.count) else { return }
            let position = Int(index) - 1
            candidates = [arguments.has("last") ? candidates[candidates.count - 1 - position] : candidates[position]]
        }
        if arguments.positional.count > 1 {
            let patterns = try strings(arguments, 1, at: location)
            let matchType = try matchType(arguments, at: location)
            let comparator = try comparator(arguments, at: location)
            let matcher: SieveMatcher
            do {
                matcher = try SieveMatcher(matchType: matchType, comparator: comparator, keys: patterns)
            } catch {
                throw SieveError(error.message, at: location)
            }
            candidates = candidates.filter { index in
                let value = EncodedWords.decode(message.header.fields[index].unfoldedValue(in: message.raw))
                return matcher.firstMatch(in: [value]) != nil
            }
        }
        guard !candidates.isEmpty else { return }
        cache.replace(with: SieveHeaderEditor.deleting(Set(candidates), from: message))
    }
}
