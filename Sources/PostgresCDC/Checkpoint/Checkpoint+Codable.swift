import Foundation
import PGOutput

/// A checkpoint encodes as `{"lsn":"0/16B3748","slot":"…","system_identifier":"…","timeline":1}`,
/// the fields of ``FileCheckpointStore``'s file.
extension Checkpoint: Codable {
    enum CodingKeys: String, CodingKey {
        case lsn
        case slot
        case systemIdentifier = "system_identifier"
        case timeline
    }

    /// A checkpoint from its four fields.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            lsn: try container.decode(LSN.self, forKey: .lsn), slot: try container.decode(String.self, forKey: .slot),
            systemIdentifier: try container.decode(String.self, forKey: .systemIdentifier),
            timeline: try container.decode(UInt32.self, forKey: .timeline))
    }

    /// Encodes the four fields (the LSN in its `X/Y` form).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(lsn, forKey: .lsn)
        try container.encode(slot, forKey: .slot)
        try container.encode(systemIdentifier, forKey: .systemIdentifier)
        try container.encode(timeline, forKey: .timeline)
    }
}

/// A checkpoint's text form is its JSON, on one line, with the keys in a fixed order: store it in
/// a text column or a file and read it back with `Checkpoint(text)`.
extension Checkpoint: LosslessStringConvertible {
    /// The checkpoint from its ``description``; `nil` when `description` is not one.
    public init?(_ description: String) {
        guard let checkpoint = try? JSONDecoder().decode(Checkpoint.self, from: Data(description.utf8)) else { return nil }
        self = checkpoint
    }

    /// `{"lsn":"0/16B3748","slot":"…","system_identifier":"…","timeline":1}`.
    public var description: String {
        var json = JSONBuffer()
        json.appendRaw("{\"lsn\":")
        json.appendLSN(lsn)
        json.appendRaw(",\"slot\":")
        json.appendString(slot)
        json.appendRaw(",\"system_identifier\":")
        json.appendString(systemIdentifier)
        json.appendRaw(",\"timeline\":")
        json.appendUInt(UInt64(timeline))
        json.appendRaw("}")
        return String(decoding: json.bytes, as: UTF8.self)
    }
}
