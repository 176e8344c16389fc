// An agent's stream folded into a chat: messages, answers (streaming from
// llm/output-delta until llm/response-completed), and tool calls with their state.
// Pure: the same events always give the same chat.

/** Whether a stream looks like an agent's. */
export function isAgentEvent(event) {
  return event.type.startsWith('agent/') || event.type.startsWith('llm/') || event.type.startsWith('tool/');
}

/**
 * `{ items, pendingApprovals }`; items are
 * `{ kind: 'message', role, content, from?, offset }`,
 * `{ kind: 'answer', requestId, text, streaming, error?, cancelled?, offset }`,
 * `{ kind: 'tool', callId, name, arguments, status, output?, isError?, reason?, offset }`
 * with status `requested` | `awaiting-approval` | `approved` | `denied` | `completed`.
 */
export function foldAgent(events) {
  const items = [];
  const answers = new Map();
  const tools = new Map();
  const answer = (requestId, offset) => {
    let item = answers.get(requestId);
    if (!item) {
      item = { kind: 'answer', requestId, text: '', streaming: true, offset };
      answers.set(requestId, item);
      items.push(item);
    }
    return item;
  };
  for (const { type, payload = {}, offset } of events) {
    switch (type) {
      case 'agent/input-added':
        items.push({ kind: 'message', role: payload.role || 'user', content: String(payload.content ?? ''), from: payload.from, offset });
        break;
      case 'llm/request-started':
        answer(payload.requestId, offset);
        break;
      case 'llm/output-delta':
        answer(payload.requestId, offset).text += String(payload.text ?? '');
        break;
      case 'llm/response-completed': {
        const item = answer(payload.requestId, offset);
        if (payload.content) item.text = String(payload.content);
        item.streaming = false;
        break;
      }
      case 'llm/request-failed': {
        const item = answer(payload.requestId, offset);
        item.streaming = false;
        item.error = String(payload.error ?? 'failed');
        break;
      }
      case 'llm/request-cancelled': {
        const item = answer(payload.requestId, offset);
        item.streaming = false;
        item.cancelled = String(payload.reason ?? 'cancelled');
        break;
      }
      case 'tool/call-requested': {
        const item = { kind: 'tool', callId: payload.callId, name: payload.name, arguments: payload.arguments, status: 'requested', offset };
        tools.set(payload.callId, item);
        items.push(item);
        break;
      }
      case 'tool/approval-requested':
        setStatus(tools, payload.callId, 'awaiting-approval');
        break;
      case 'tool/approval-granted':
        setStatus(tools, payload.callId, 'approved');
        break;
      case 'tool/approval-denied': {
        const item = setStatus(tools, payload.callId, 'denied');
        if (item) item.reason = payload.reason;
        break;
      }
      case 'tool/call-completed': {
        // A denied call completes with an error output; it stays shown as denied.
        const item = tools.get(payload.callId);
        if (item) {
          if (item.status !== 'denied') item.status = 'completed';
          item.output = payload.output;
          item.isError = Boolean(payload.isError);
        }
        break;
      }
      default:
        break;
    }
  }
  // An answer that only called tools has no text: the tool items tell the story.
  const visible = items.filter((item) => item.kind !== 'answer' || item.text || item.streaming || item.error || item.cancelled);
  const pendingApprovals = [...tools.values()].filter((item) => item.status === 'awaiting-approval');
  return { items: visible, pendingApprovals };
}

function setStatus(tools, callId, status) {
  const item = tools.get(callId);
  if (item) item.status = status;
  return item;
}
