/// A script operation the session asks the connection to run against the backend
/// (`ManageSieveBackend`), once the command was checked.
public enum ManageSieveOperation: Hashable, Sendable {
    /// RFC 5804 §2.5.
    case haveSpace(name: String, size: Int)
    /// RFC 5804 §2.6.
    case putScript(name: String, source: String)
    /// RFC 5804 §2.7.
    case listScripts
    /// RFC 5804 §2.8; nil deactivates.
    case setActive(name: String?)
    /// RFC 5804 §2.9.
    case getScript(name: String)
    /// RFC 5804 §2.10.
    case deleteScript(name: String)
    /// RFC 5804 §2.11.
    case renameScript(name: String, newName: String)
    /// RFC 5804 §2.12.
    case checkScript(source: String)
}

/// What the backend answered to a `ManageSieveOperation`.
public enum ManageSieveOperationResult: Hashable, Sendable {
    /// Done (every operation but LISTSCRIPTS and GETSCRIPT).
    case done
    /// LISTSCRIPTS' answer.
    case scripts([ManageSieveScriptInfo])
    /// GETSCRIPT's answer: the script's source.
    case script(String)
    case failed(ManageSieveFailure)
}

extension ManageSieveBackend {
    /// Runs one operation for `user` (the one place the connection calls the script methods).
    public func run(_ operation: ManageSieveOperation, user: String) async -> ManageSieveOperationResult {
        do throws(ManageSieveFailure) {
            switch operation {
            case .haveSpace(let name, let size): try await haveSpace(for: name, size: size, of: user)
            case .putScript(let name, let source): try await putScript(name, source: source, of: user)
            case .listScripts: return .scripts(try await listScripts(of: user))
            case .setActive(let name): try await setActive(name, of: user)
            case .getScript(let name): return .script(try await getScript(name, of: user))
            case .deleteScript(let name): try await deleteScript(name, of: user)
            case .renameScript(let name, let newName): try await renameScript(name, to: newName, of: user)
            case .checkScript(let source): try await checkScript(source, of: user)
            }
            return .done
        } catch {
            return .failed(error)
        }
    }
}
