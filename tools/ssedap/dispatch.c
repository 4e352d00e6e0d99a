/* dispatch.c — one handler per request (lldb-dap's shape): a table from
 * command to handler; the response is built here from what the handler
 * filled. initialize answers the capabilities. */
#include <stdio.h>
#include <string.h>

#include "dap.h"

static bool initialize(json_t *args, json_t *body, char *err, size_t errsz) {
  S.lines_start_at1 = dap_jbool(args, "linesStartAt1", true);
  S.columns_start_at1 = dap_jbool(args, "columnsStartAt1", true);
  static const char *const yes[] = {
      "supportsConfigurationDoneRequest", "supportsFunctionBreakpoints",
      "supportsConditionalBreakpoints", "supportsHitConditionalBreakpoints",
      "supportsLogPoints", "supportsInstructionBreakpoints",
      "supportsDataBreakpoints", "supportsBreakpointLocationsRequest",
      "supportsSetVariable", "supportsSetExpression",
      "supportsEvaluateForHovers", "supportsDisassembleRequest",
      "supportsReadMemoryRequest", "supportsWriteMemoryRequest",
      "supportsModulesRequest", "supportsLoadedSourcesRequest",
      "supportsSteppingGranularity", "supportsTerminateRequest",
      "supportsRestartRequest", "supportTerminateDebuggee",
      "supportsDelayedStackTraceLoading", "supportsValueFormattingOptions",
      "supportsExceptionInfoRequest", "supportsGotoTargetsRequest",
      "supportsStepInTargetsRequest", NULL};
  for (int i = 0; yes[i]; i++) json_object_set_new(body, yes[i], json_true());
  /* lldb-dap's filters for C++ (C has no exceptions; a signal stops as
   * one without a filter). */
  json_object_set_new(body, "exceptionBreakpointFilters",
                      json_pack("[{s:s, s:s, s:b}, {s:s, s:s, s:b}]", "filter", "cpp_throw",
                                "label", "C++: on throw", "default", 0, "filter", "cpp_catch",
                                "label", "C++: on catch", "default", 0));
  return true;
}

/* Requests that read a stopped program run whole on the tracer thread
 * (sse_call): there every sse_ call is direct, so a variables request
 * costs one hand-over instead of one per value. */
static const char *const on_tracer[] = {"variables", "setVariable",
                                        "evaluate", "setExpression", "disassemble",
                                        "readMemory", "dataBreakpointInfo", NULL};

typedef struct call_ctx {
  const dap_request *r;
  json_t *args, *body;
  char *err;
  size_t errsz;
  bool ok;
} call_ctx;

static void call_handler(void *arg) {
  call_ctx *c = arg;
  c->ok = c->r->fn(c->args, c->body, c->err, c->errsz);
}

/* Run r's handler, on the tracer thread when it only reads the stopped
 * program (never the repl, whose commands may run it). */
static bool run_handler(const dap_request *r, json_t *args, json_t *body, char *err,
                        size_t errsz) {
  call_ctx c = {r, args, body, err, errsz, false};
  bool tracer = !S.running && S.proc;
  if (tracer) {
    tracer = false;
    for (size_t i = 0; on_tracer[i] && !tracer; i++) tracer = !strcmp(on_tracer[i], r->command);
    const char *ctx = dap_jstr(args, "context");
    if (!strcmp(r->command, "evaluate") && ctx && !strcmp(ctx, "repl")) tracer = false;
    if (!strcmp(r->command, "variables") && dap_variables_cached(args)) tracer = false;
  }
  if (!tracer || sse_call(S.eng, call_handler, &c)) call_handler(&c);
  return c.ok;
}

static const dap_request requests[] = {
    {"initialize", initialize},
    {"launch", dap_launch},
    {"attach", dap_attach},
    {"configurationDone", dap_configuration_done},
    {"disconnect", dap_disconnect},
    {"terminate", dap_terminate},
    {"restart", dap_restart},
    {"setBreakpoints", dap_set_breakpoints},
    {"setFunctionBreakpoints", dap_set_function_breakpoints},
    {"setInstructionBreakpoints", dap_set_instruction_breakpoints},
    {"setDataBreakpoints", dap_set_data_breakpoints},
    {"dataBreakpointInfo", dap_data_breakpoint_info},
    {"setExceptionBreakpoints", dap_set_exception_breakpoints},
    {"breakpointLocations", dap_breakpoint_locations},
    {"threads", dap_threads},
    {"stackTrace", dap_stack_trace},
    {"scopes", dap_scopes},
    {"variables", dap_variables},
    {"setVariable", dap_set_variable},
    {"evaluate", dap_evaluate},
    {"setExpression", dap_set_expression},
    {"continue", dap_continue},
    {"next", dap_next},
    {"stepIn", dap_step_in},
    {"stepOut", dap_step_out},
    {"pause", dap_pause},
    {"disassemble", dap_disassemble},
    {"readMemory", dap_read_memory},
    {"writeMemory", dap_write_memory},
    {"modules", dap_modules},
    {"loadedSources", dap_loaded_sources},
    {"exceptionInfo", dap_exception_info},
    {"gotoTargets", dap_goto_targets},
    {"goto", dap_goto},
    {"stepInTargets", dap_step_in_targets},
};

void dap_reply_error(long long seq, const char *command, const char *msg) {
  dap_send(json_pack("{s:s, s:I, s:b, s:s, s:s, s:{s:{s:i, s:s}}}", "type",
                     "response", "request_seq", (json_int_t)seq, "success", 0,
                     "command", command ? command : "", "message", msg,
                     "body", "error", "id", 1, "format", msg));
}

bool dap_dispatch(json_t *msg) {
  long long seq = dap_jint(msg, "seq", 0);
  const char *type = dap_jstr(msg, "type");
  const char *cmd = dap_jstr(msg, "command");
  if (!type || strcmp(type, "request") || !cmd) {
    dap_reply_error(seq, cmd, "not a request: a message needs \"type\": "
                              "\"request\" and a \"command\"");
    return true;
  }
  json_t *args = json_object_get(msg, "arguments");
  if (args && !json_is_object(args)) args = NULL;
  const dap_request *r = NULL;
  for (size_t i = 0; i < sizeof requests / sizeof requests[0]; i++)
    if (!strcmp(requests[i].command, cmd)) r = &requests[i];
  if (!r) {
    char m[256];
    snprintf(m, sizeof m, "unsupported request \"%.200s\"", cmd);
    dap_reply_error(seq, cmd, m);
    return true;
  }
  json_t *body = json_object();
  char err[1024] = "";
  bool ok = run_handler(r, args, body, err, sizeof err);
  if (!ok) {
    json_decref(body);
    dap_reply_error(seq, cmd, err[0] ? err : "request failed");
  } else {
    dap_send(json_pack("{s:s, s:I, s:b, s:s, s:o}", "type", "response",
                       "request_seq", (json_int_t)seq, "success", 1,
                       "command", cmd, "body", body));
  }
  /* initialize's answer goes out first, then the event that asks for the
   * configuration (launch sends it once the process is there). */
  return !S.quit;
}
