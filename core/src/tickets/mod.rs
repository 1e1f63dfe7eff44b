//! Tickets: numbers, the printed ticket (ESC/POS), QR codes and the message catalog.
