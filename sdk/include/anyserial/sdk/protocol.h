/* anyserial SDK — device protocol plugins, factory id "anyserial.protocol/2".
 *
 * A protocol plugin is a sans-I/O state machine and the only place that knows its device:
 * it never reads, writes, sleeps or schedules. The core feeds it received bytes and asks it
 * what to send and how long to wait; the plugin describes its device (channels, flags,
 * commands, address syntax: device.h) and the core hard-codes none of it.
 *
 * Request/response protocols (Modbus, Alicat):
 *     begin(request)
 *     while next_transaction(&tx) == ANYSERIAL_OK:
 *         wait tx.idle_before_ns since the last traffic, send tx.data
 *         if tx.expects_response: feed(received bytes) until RESPONSE, EXCEPTION or
 *         BAD_FRAME, or tx.response_timeout_ns passes; on a timeout or BAD_FRAME the core
 *         calls reset_receive() and sends the same tx again, at most tx.retries times
 *     (next_transaction returns ANYSERIAL_DONE) -> result(&r)
 * Broadcast protocols (Servomex continuous, Alicat streaming): the core feeds every byte
 * received and gets FRAME and BAD_FRAME events; begin() answers NOT_SUPPORTED for what
 * needs a request channel.
 *
 * Thread tags: threads.h. Version 1 of this factory ("anyserial.protocol/1") is not
 * supported: a plugin that offers only it is refused. */
#ifndef ANYSERIAL_SDK_PROTOCOL_H
#define ANYSERIAL_SDK_PROTOCOL_H

#include <stdbool.h>
#include <stdint.h>

#include "device.h"
#include "serial_config.h"
#include "status.h"
#include "threads.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ANYSERIAL_PROTOCOL_FACTORY_ID "anyserial.protocol/2"

/* traffic kind */
#define ANYSERIAL_TRAFFIC_BROADCAST 1u        /* device speaks unasked */
#define ANYSERIAL_TRAFFIC_REQUEST_RESPONSE 2u /* device only answers */

/* generic capability bits: exactly which generic operations begin() accepts (commands are
 * declared in the descriptor instead). A BROADCAST protocol declares only the operations its
 * begin() really runs (often none): the host serves poll, status and identify of a
 * broadcaster from the frames it receives, whatever bits are declared. */
#define ANYSERIAL_PCAP_READ_FRAME 0x01u  /* OP_READ_FRAME: every channel */
#define ANYSERIAL_PCAP_READ_STATUS 0x02u /* OP_READ_STATUS: the device's flags */
#define ANYSERIAL_PCAP_IDENTIFY 0x04u    /* OP_IDENTIFY: fields and the channel table */
#define ANYSERIAL_PCAP_PROBE 0x08u       /* OP_PROBE */

/* how the AUTO ladder recognises this protocol within its family */
#define ANYSERIAL_PROBE_NONE 0u    /* never tried by AUTO */
#define ANYSERIAL_PROBE_ACTIVE 1u  /* begin(OP_PROBE): a request whose valid answer decides */
#define ANYSERIAL_PROBE_PASSIVE 2u /* listen: a checksum-valid FRAME event decides */

typedef struct anyserial_protocol_descriptor_t {
    uint32_t struct_size;
    uint32_t traffic; /* ANYSERIAL_TRAFFIC_* */
    const char *id;   /* unique, e.g. "servomex-modbus-rtu", "alicat" */
    const char *name; /* human name */
    const char *vendor;
    const char *version;
    const char *description;
    const char *device_family; /* protocols of one family take part in one AUTO ladder */
    const char *mode;          /* short name within the family: "modbus-rtu", "ascii" */
    uint32_t capabilities;     /* ANYSERIAL_PCAP_* */
    uint32_t probe_kind;       /* ANYSERIAL_PROBE_* */
    uint32_t probe_rank;       /* AUTO order within the family, lower first */
    uint32_t reserved0;
    /* expected interval of unsolicited frames (broadcast), 0 = not applicable; AUTO
     * listens for at least twice this */
    uint64_t frame_interval_ns;
    const anyserial_address_syntax_t *address;       /* NULL = no addresses */
    const anyserial_serial_config_t *default_serial; /* the device's default settings */
    uint32_t flag_count;                             /* at most ANYSERIAL_MAX_FLAGS */
    uint32_t command_count;
    const anyserial_flag_info_t *const *flags;
    const anyserial_command_info_t *const *commands;
} anyserial_protocol_descriptor_t;

typedef struct anyserial_protocol_options_t {
    uint32_t struct_size;
    uint32_t baudrate;            /* the line's baud rate, for timing computations */
    const char *address;          /* validated against the syntax; NULL = the default */
    uint64_t response_timeout_ns; /* 0 = plugin default */
    uint64_t idle_gap_ns;         /* inter-transaction idle, 0 = plugin default */
    uint32_t retries;             /* UINT32_MAX = plugin default */
    uint32_t reserved0;
} anyserial_protocol_options_t;

/* ---- requests, transactions, events, results -------------------------------------- */

/* operations */
#define ANYSERIAL_OP_PROBE 1u       /* cheapest liveness/recognition request */
#define ANYSERIAL_OP_READ_FRAME 2u  /* every channel (and the device flags, if cheap) */
#define ANYSERIAL_OP_IDENTIFY 3u    /* fields (model, ...) and the channel table */
#define ANYSERIAL_OP_READ_STATUS 4u /* the device's flags and state fields */
#define ANYSERIAL_OP_COMMAND 5u     /* a declared command: request.command, request.args */

typedef struct anyserial_protocol_request_t {
    uint32_t struct_size;
    uint32_t op;         /* ANYSERIAL_OP_* */
    const char *command; /* OP_COMMAND: a declared command id */
    uint32_t arg_count;  /* OP_COMMAND: the command's declared argument count */
    uint32_t reserved0;
    const anyserial_arg_value_t *const *args;
} anyserial_protocol_request_t;

typedef struct anyserial_transaction_t {
    uint32_t struct_size;
    uint32_t len;
    const uint8_t *data;            /* valid until the next next_transaction()/begin() */
    uint64_t response_timeout_ns;   /* for this transaction alone */
    uint64_t idle_before_ns;        /* quiet time on the line before sending */
    uint32_t expected_response_len; /* 0 = not known in advance */
    uint32_t retries;               /* resends after a timeout or bad frame */
    bool expects_response;          /* false for writes the device does not answer */
    uint8_t reserved0[3];
    /* for error context: the request's function code and data-model address, 0 if none */
    uint32_t function_code;
    uint32_t register_address;
    uint32_t reserved1;
    /* A response that ends on silence (a table with no count line, e.g. Alicat's `??D*`):
     * when nonzero and at least one byte of the response has come, this long without a
     * further byte completes it; the core then calls feed() with len 0 (end of input) and
     * the plugin answers RESPONSE or BAD_FRAME. response_timeout_ns still bounds the wait
     * for the first byte. 0 = the response ends only by the plugin's own rules. */
    uint64_t end_on_silence_ns;
} anyserial_transaction_t;

/* event types from feed() */
#define ANYSERIAL_EVENT_NEED_MORE 0u /* everything consumed, nothing complete yet */
#define ANYSERIAL_EVENT_FRAME 1u     /* broadcast frame decoded: event.frame */
#define ANYSERIAL_EVENT_RESPONSE 2u  /* the current transaction's response is complete */
#define ANYSERIAL_EVENT_EXCEPTION 3u /* the device refused the request */
#define ANYSERIAL_EVENT_BAD_FRAME 4u /* a frame failed; resynchronised */

/* why a frame was bad */
#define ANYSERIAL_BAD_FRAME_CHECKSUM 1u   /* checksum, CRC or LRC mismatch */
#define ANYSERIAL_BAD_FRAME_STRUCTURE 2u  /* malformed, truncated, over-long */
#define ANYSERIAL_BAD_FRAME_ADDRESS 3u    /* from or for another address */
#define ANYSERIAL_BAD_FRAME_UNEXPECTED 4u /* well-formed but not an answer to the request */

typedef struct anyserial_protocol_event_t {
    uint32_t struct_size;
    uint32_t type;                  /* ANYSERIAL_EVENT_* */
    const anyserial_frame_t *frame; /* FRAME (also for bad-checksum frames when decodable) */
    const char *reason;             /* BAD_FRAME / EXCEPTION: what was wrong, as text */
    uint32_t bad_frame_reason;      /* BAD_FRAME: ANYSERIAL_BAD_FRAME_* */
    uint32_t raw_len;
    const uint8_t *raw;      /* bytes of the bad frame / response */
    uint32_t function_code;  /* EXCEPTION: the request's function code, 0 if none */
    uint32_t exception_code; /* EXCEPTION: the device's code, 0 if none */
} anyserial_protocol_event_t;

typedef struct anyserial_protocol_result_t {
    uint32_t struct_size;
    uint32_t op;
    /* READ_FRAME; READ_STATUS (device_flags, fields); IDENTIFY or COMMAND when they read
     * channels; NULL otherwise */
    const anyserial_frame_t *frame;
    /* IDENTIFY: model, serial number, firmware, ...; COMMAND: what it read back */
    uint32_t field_count;
    uint32_t reserved0;
    const anyserial_field_t *const *fields;
} anyserial_protocol_result_t;

typedef struct anyserial_protocol_session_t anyserial_protocol_session_t;

typedef struct anyserial_protocol_session_vtable_t {
    uint32_t struct_size;
    /* [session] Start an operation, abandoning any in progress. NOT_SUPPORTED when this
     * protocol cannot do it (or not on this device), INVALID_ARGUMENT for arguments the
     * core's checks against the declaration could not catch. */
    int32_t (*begin)(anyserial_protocol_session_t *self, const anyserial_protocol_request_t *req);
    /* [session] ANYSERIAL_OK with the next transaction to run, ANYSERIAL_DONE when the
     * result is ready, or an error (the operation failed; see last_error). Call after
     * begin() and after each RESPONSE event. */
    int32_t (*next_transaction)(anyserial_protocol_session_t *self, anyserial_transaction_t *out);
    /* [session] Feed received bytes. Consumes up to len bytes (*consumed says how many)
     * and stops at the first event, so call again with the rest. */
    int32_t (*feed)(anyserial_protocol_session_t *self, const uint8_t *data, uint32_t len,
                    uint32_t *consumed, anyserial_protocol_event_t *event);
    /* [session] Forget partially received bytes (before a resend, after a timeout). */
    void (*reset_receive)(anyserial_protocol_session_t *self);
    /* [session] Result of the finished operation (after next_transaction returned DONE). */
    int32_t (*result)(anyserial_protocol_session_t *self, anyserial_protocol_result_t *out);
    /* [session] The device's channels as known now: after identify, or after the first
     * frame of a broadcaster; 0 before. The table may change after identify or a command
     * (a reconfigured frame). */
    uint32_t (*channel_count)(const anyserial_protocol_session_t *self);
    /* [session] Fill *out (struct_size set by the caller) for index < channel_count. */
    int32_t (*get_channel)(const anyserial_protocol_session_t *self, uint32_t index,
                           anyserial_channel_info_t *out);
    /* [session] Text of the last failure; returns its full length, writes at most cap - 1
     * bytes and a NUL (nothing when cap is 0). */
    uint32_t (*last_error)(const anyserial_protocol_session_t *self, char *buf, uint32_t cap);
    /* [session] The last call on the session. */
    void (*destroy)(anyserial_protocol_session_t *self);
} anyserial_protocol_session_vtable_t;

struct anyserial_protocol_session_t {
    uint32_t struct_size;
    void *impl;
    const anyserial_protocol_descriptor_t *descriptor;
    const anyserial_protocol_session_vtable_t *vtable;
};

typedef struct anyserial_protocol_factory_t anyserial_protocol_factory_t;
struct anyserial_protocol_factory_t {
    uint32_t struct_size;
    /* [thread-safe] Number of protocols. */
    uint32_t (*count)(const anyserial_protocol_factory_t *self);
    /* [thread-safe] Descriptor of protocol `index`, NULL when out of range. */
    const anyserial_protocol_descriptor_t *(*get_descriptor)(
        const anyserial_protocol_factory_t *self, uint32_t index);
    /* [thread-safe] New session for protocol_id. options may be NULL for defaults. */
    int32_t (*create_session)(const anyserial_protocol_factory_t *self, const char *protocol_id,
                              const anyserial_protocol_options_t *options,
                              anyserial_protocol_session_t **out);
    /* [thread-safe] Protocol-level extension (e.g. the simulator) or NULL. */
    const void *(*get_extension)(const anyserial_protocol_factory_t *self, const char *protocol_id,
                                 const char *extension_id);
};

#ifdef __cplusplus
}
#endif

#endif
