// PostgresCDC: change data capture from PostgreSQL's logical replication (pgoutput).
@_exported import PGOutput
@_exported import PostgresCDCConnection
@_exported import PostgresCDCEvents
@_exported import PostgresCDCBase
