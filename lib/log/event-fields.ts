/**
 * What a log line says of an event: its id and type, and the order it belongs to. Never the event
 * or its data (an address, a card token); the id finds the rest where it is stored.
 */
export function eventFields(event: { id: string; type: string; data?: unknown }): { event: { id: string; type: string }; orderId?: string } {
  const orderId = (event.data as { orderId?: unknown } | undefined)?.orderId;
  return { event: { id: event.id, type: event.type }, ...(typeof orderId === "string" ? { orderId } : {}) };
}
