"""Many people at once: one writer for a shared structure (single_writer), write conflicts
logged and counted (write_conflicts), and slow work before a short transaction
(transactions.begin_anew)."""
