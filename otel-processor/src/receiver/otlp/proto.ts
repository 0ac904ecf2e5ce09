/**
 * The subset of the OTLP protobuf schema Warden speaks (logs only), written from the
 * opentelemetry-proto definitions (v1): common, resource, logs and the logs service.
 * Field numbers and names follow the specification exactly so any OTLP sender interoperates.
 */
import * as protobuf from 'protobufjs';

const PROTO = `
syntax = "proto3";
package opentelemetry.proto;

message AnyValue {
  oneof value {
    string string_value = 1;
    bool bool_value = 2;
    int64 int_value = 3;
    double double_value = 4;
    ArrayValue array_value = 5;
    KeyValueList kvlist_value = 6;
    bytes bytes_value = 7;
  }
}
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
message KeyValue { string key = 1; AnyValue value = 2; }
message InstrumentationScope {
  string name = 1;
  string version = 2;
  repeated KeyValue attributes = 3;
  uint32 dropped_attributes_count = 4;
}
message Resource {
  repeated KeyValue attributes = 1;
  uint32 dropped_attributes_count = 2;
}
message LogsData { repeated ResourceLogs resource_logs = 1; }
message ResourceLogs {
  Resource resource = 1;
  repeated ScopeLogs scope_logs = 2;
  string schema_url = 3;
}
message ScopeLogs {
  InstrumentationScope scope = 1;
  repeated LogRecord log_records = 2;
  string schema_url = 3;
}
message LogRecord {
  fixed64 time_unix_nano = 1;
  fixed64 observed_time_unix_nano = 11;
  int32 severity_number = 2;
  string severity_text = 3;
  AnyValue body = 5;
  repeated KeyValue attributes = 6;
  uint32 dropped_attributes_count = 7;
  fixed32 flags = 8;
  bytes trace_id = 9;
  bytes span_id = 10;
  string event_name = 12;
}
message ExportLogsServiceRequest { repeated ResourceLogs resource_logs = 1; }
message ExportLogsServiceResponse { ExportLogsPartialSuccess partial_success = 1; }
message Status {
  int32 code = 1;
  string message = 2;
}
message ExportLogsPartialSuccess {
  int64 rejected_log_records = 1;
  string error_message = 2;
}
`;

const root = protobuf.parse(PROTO, { keepCase: false }).root;

export const ExportLogsServiceRequest = root.lookupType('opentelemetry.proto.ExportLogsServiceRequest');
export const ExportLogsServiceResponse = root.lookupType('opentelemetry.proto.ExportLogsServiceResponse');

export const Status = root.lookupType('opentelemetry.proto.Status');

/** google.rpc.Status (code and message), the body OTLP/HTTP sends with failures. */
export function encodeStatus(code: number, message: string): Buffer {
  return Buffer.from(Status.encode(Status.create({ code, message })).finish());
}

/** The gRPC method path of the OTLP logs service. */
export const LOGS_SERVICE_EXPORT_PATH = '/opentelemetry.proto.collector.logs.v1.LogsService/Export';

/** Encodes an ExportLogsServiceResponse (with partial success when records were rejected). */
export function encodeResponse(rejected: number, message: string): Buffer {
  const msg = rejected > 0
    ? ExportLogsServiceResponse.create({ partialSuccess: { rejectedLogRecords: rejected, errorMessage: message } })
    : ExportLogsServiceResponse.create({});
  return Buffer.from(ExportLogsServiceResponse.encode(msg).finish());
}

/** Encodes a request from a plain object in protobufjs' camelCase form (used by tests, bench and the exporter). */
export function encodeRequest(obj: Record<string, unknown>): Buffer {
  return Buffer.from(ExportLogsServiceRequest.encode(ExportLogsServiceRequest.fromObject(obj)).finish());
}
