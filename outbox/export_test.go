package outbox

// HookBeforeRecord lets crash tests stop a runner between a message's
// final reply and the commit of its outcome.
var HookBeforeRecord = &testHookBeforeRecord
