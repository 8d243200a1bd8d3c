-- The application role (021) on what notice delivery beside the case (010)
-- added before it: a notice that cannot be delivered after its attempts is
-- marked undeliverable, with the channel's last error.
GRANT UPDATE (undeliverable_at, last_error) ON notices TO casework_app;
