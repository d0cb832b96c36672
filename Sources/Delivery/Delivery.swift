// Delivery: outbound queue workers, SMTP client, retries, DSN bounces.
// (Scaffold; the outbound issue fills it in.)
