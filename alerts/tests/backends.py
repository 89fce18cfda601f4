"""An email backend that refuses some recipients, as a failing mail server would."""

from smtplib import SMTPRecipientsRefused

from django.core.mail.backends import locmem


class RefusingBackend(locmem.EmailBackend):
    """Delivers like the test backend, except to the addresses in ``refuse`` (or, with
    ``down``, to anyone: the connection fails)."""

    refuse: set[str] = set()
    down = False

    def open(self):
        if self.down:
            raise ConnectionRefusedError("Connection refused by the mail server")
        return super().open()

    def send_messages(self, messages):
        for message in messages:
            refused = set(message.to) & self.refuse
            if refused:
                raise SMTPRecipientsRefused(
                    {address: (550, b"Mailbox unavailable") for address in refused}
                )
        return super().send_messages(messages)
