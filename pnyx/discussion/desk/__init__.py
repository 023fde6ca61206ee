"""The moderation desk: staff pages to clear the queue (Pending, Approved, Spam, Trash), by mouse, by
keyboard (``static/pnyx/desk.js``) or by plain form POSTs. Every action is a moderation service
(``discussion.moderation``), so the lifecycle counts, purges and records it."""
