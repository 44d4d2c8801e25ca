"""Sending scheduled campaigns: claim recipients, send through a channel, mark them.

`channels` holds one adapter per channel behind the `Sender` interface; the queue (huey)
only carries "work on campaign X"; which recipient is sent, and that it is sent once, is
decided by the recipient rows in the state database.
"""
