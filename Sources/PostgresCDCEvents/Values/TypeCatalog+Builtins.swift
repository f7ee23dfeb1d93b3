extension TypeCatalog {
    /// Built-in scalar types with a rule: the text mapping and the binary format side by side. A
    /// built-in type missing here is ``ColumnType/other``.
    package static let builtins: [UInt32: ColumnType] = [
        16: ColumnType(.bool, .bool),  // bool
        17: ColumnType(.bytea, .bytea),  // bytea
        18: ColumnType(.text, .char),  // "char"
        19: ColumnType(.text, .textual),  // name
        20: ColumnType(.integer, .int8),  // int8
        21: ColumnType(.integer, .int2),  // int2
        22: ColumnType(.text, .vector(element: .int2)),  // int2vector
        23: ColumnType(.integer, .int4),  // int4
        25: ColumnType(.text, .textual),  // text
        26: ColumnType(.integer, .uint32),  // oid
        27: ColumnType(.text, .tid),  // tid
        28: ColumnType(.text, .uint32),  // xid
        29: ColumnType(.text, .uint32),  // cid
        30: ColumnType(.text, .vector(element: .uint32)),  // oidvector
        114: ColumnType(.json, .textual),  // json: its send format is its text
        142: ColumnType(.text, .textual),  // xml (sent in the client encoding, UTF8, without an encoding declaration)
        194: ColumnType(.text, .textual),  // pg_node_tree
        600: ColumnType(.text, .point),  // point
        601: ColumnType(.text, .lseg),  // lseg
        602: ColumnType(.text, .path),  // path
        603: ColumnType(.text, .box),  // box
        604: ColumnType(.text, .polygon),  // polygon
        628: ColumnType(.text, .line),  // line
        650: ColumnType(.text, .inet),  // cidr
        700: ColumnType(.float, .float4),  // float4
        718: ColumnType(.text, .circle),  // circle
        701: ColumnType(.float, .float8),  // float8
        774: ColumnType(.text, .macaddr8),  // macaddr8
        829: ColumnType(.text, .macaddr),  // macaddr
        869: ColumnType(.text, .inet),  // inet
        1042: ColumnType(.text, .textual),  // bpchar
        1043: ColumnType(.text, .textual),  // varchar
        1082: ColumnType(.date, .date),  // date
        1083: ColumnType(.text, .time),  // time
        1114: ColumnType(.timestamp, .timestamp),  // timestamp
        1184: ColumnType(.timestamptz, .timestamptz),  // timestamptz
        1186: ColumnType(.text, .interval),  // interval
        1266: ColumnType(.text, .timetz),  // timetz
        1560: ColumnType(.text, .bits),  // bit
        1562: ColumnType(.text, .bits),  // varbit
        1700: ColumnType(.numeric, .numeric),  // numeric
        1790: ColumnType(.text, .textual),  // refcursor
        2970: ColumnType(.text, .snapshot),  // txid_snapshot
        2950: ColumnType(.text, .uuid),  // uuid
        3220: ColumnType(.text, .lsn),  // pg_lsn
        3614: ColumnType(.text, .tsvector),  // tsvector
        3615: ColumnType(.text, .tsquery),  // tsquery
        3802: ColumnType(.json, .jsonb),  // jsonb
        3904: ColumnType(.text, .range(subtype: .int4)),  // int4range
        3906: ColumnType(.text, .range(subtype: .numeric)),  // numrange
        3908: ColumnType(.text, .range(subtype: .timestamp)),  // tsrange
        3910: ColumnType(.text, .range(subtype: .timestamptz)),  // tstzrange
        3912: ColumnType(.text, .range(subtype: .date)),  // daterange
        3926: ColumnType(.text, .range(subtype: .int8)),  // int8range
        4072: ColumnType(.text, .jsonb),  // jsonpath: a version byte (1), then the text, as jsonb
        4451: ColumnType(.text, .multirange(subtype: .int4)),  // int4multirange
        4532: ColumnType(.text, .multirange(subtype: .numeric)),  // nummultirange
        4533: ColumnType(.text, .multirange(subtype: .timestamp)),  // tsmultirange
        4534: ColumnType(.text, .multirange(subtype: .timestamptz)),  // tstzmultirange
        4535: ColumnType(.text, .multirange(subtype: .date)),  // datemultirange
        4536: ColumnType(.text, .multirange(subtype: .int8)),  // int8multirange
        5038: ColumnType(.text, .snapshot),  // pg_snapshot
        5069: ColumnType(.text, .uint64),  // xid8
    ]

    /// `money`, whose text depends on the server's lc_monetary (its format is ``TypeCatalog/money``).
    static let moneyOID: UInt32 = 790

    /// `box[]`, the one built-in array whose text form separates items with `;`.
    static let boxArray: UInt32 = 1020

    /// Built-in array types (`pg_type.typcategory = 'A'`, PostgreSQL 15, without the space-separated
    /// int2vector/oidvector) → element type OID.
    static let builtinArrays: [UInt32: UInt32] = [
        143: 142, 199: 114, 210: 71, 270: 75, 271: 5069, 272: 81, 273: 83, 629: 628, 651: 650,
        719: 718, 775: 774, 791: 790, 1000: 16, 1001: 17, 1002: 18, 1003: 19, 1005: 21, 1006: 22, 1007: 23,
        1008: 24, 1009: 25, 1010: 27, 1011: 28, 1012: 29, 1013: 30, 1014: 1042, 1015: 1043, 1016: 20,
        1017:
            600, 1018: 601, 1019: 602, 1020: 603, 1021: 700, 1022: 701, 1027: 604, 1028: 26, 1034: 1033,
        1040:
            829, 1041: 869, 1115: 1114, 1182: 1082, 1183: 1083, 1185: 1184, 1187: 1186, 1231: 1700, 1263: 2275,
        1270: 1266, 1561: 1560, 1563: 1562, 2201: 1790, 2207: 2202, 2208: 2203, 2209: 2204, 2210: 2205,
        2211:
            2206, 2949: 2970, 2951: 2950, 3221: 3220, 3643: 3614, 3644: 3642, 3645: 3615, 3735: 3734, 3770: 3769,
        3807: 3802, 3905: 3904, 3907: 3906, 3909: 3908, 3911: 3910, 3913: 3912, 3927: 3926, 4073: 4072,
        4090:
            4089, 4097: 4096, 4192: 4191, 5039: 5038, 6150: 4451, 6151: 4532, 6152: 4533, 6153: 4534, 6155: 4535,
        6157: 4536,
    ]
}
