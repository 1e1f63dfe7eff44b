# source: drafted for portqueue by the development team (Gurmukhi script); not yet reviewed by a native speaker
# reviewed-by:

## Printed and HTML ticket

ticket-title = ਤੁਹਾਡਾ ਨੰਬਰ
ticket-wait-here = ਇੱਥੇ ਉਡੀਕ ਕਰੋ। ਇਸ ਜਗ੍ਹਾ ਤੋਂ ਨਾ ਜਾਓ।
ticket-watch-board = ਸਕਰੀਨ ਦੇਖਦੇ ਰਹੋ। ਆਪਣਾ ਨੰਬਰ ਲੱਭੋ।
ticket-go-to-counter = ਆਪਣਾ ਨੰਬਰ ਦਿਸਣ ’ਤੇ ਦੱਸੇ ਗਏ ਕਾਊਂਟਰ ’ਤੇ ਜਾਓ।
ticket-keep-ticket = ਇਹ ਟਿਕਟ ਸੰਭਾਲ ਕੇ ਰੱਖੋ। ਇਸ ਨੂੰ ਗੁਆਓ ਨਾ।
ticket-ask-officer = ਕੋਈ ਸਵਾਲ ਹੋਵੇ ਤਾਂ ਕਿਸੇ ਅਫ਼ਸਰ ਨੂੰ ਪੁੱਛੋ।
ticket-party-size = ਤੁਹਾਡੇ ਸਮੂਹ ਵਿੱਚ ਲੋਕ: { $count }
ticket-estimate = ਬੁਲਾਏ ਜਾਣ ਦਾ ਅੰਦਾਜ਼ਨ ਸਮਾਂ: { $earliest } ਤੋਂ { $latest } ਦੇ ਵਿਚਕਾਰ
ticket-interpreter = ਕਿਰਪਾ ਕਰਕੇ ਕਿਸੇ ਅਫ਼ਸਰ ਤੋਂ ਦੁਭਾਸ਼ੀਆ ਮੰਗੋ।
ticket-scan-status = ਕਤਾਰ ਵਿੱਚ ਆਪਣੀ ਥਾਂ ਦੇਖਣ ਲਈ ਕੋਡ ਸਕੈਨ ਕਰੋ।

## Public status page

status-your-ticket = ਤੁਹਾਡੀ ਟਿਕਟ
status-status = ਸਥਿਤੀ
status-waiting = ਉਡੀਕ ਵਿੱਚ
status-called = ਤੁਹਾਨੂੰ ਬੁਲਾਇਆ ਗਿਆ ਹੈ: ਕਾਊਂਟਰ { $counter } ’ਤੇ ਜਾਓ
status-served = ਕੰਮ ਪੂਰਾ ਹੋਇਆ
status-no-show = ਬੁਲਾਉਣ ’ਤੇ ਨਹੀਂ ਆਏ
status-withdrawn = ਕਤਾਰ ਵਿੱਚੋਂ ਹਟਾਇਆ ਗਿਆ
status-people-before-you = ਤੁਹਾਡੇ ਤੋਂ ਪਹਿਲਾਂ ਲੋਕ
status-estimated-call-time = ਬੁਲਾਏ ਜਾਣ ਦਾ ਅੰਦਾਜ਼ਨ ਸਮਾਂ
status-between = { $earliest } ਤੋਂ { $latest } ਦੇ ਵਿਚਕਾਰ
status-no-counter = ਹੁਣ ਕੋਈ ਕਾਊਂਟਰ ਖੁੱਲ੍ਹਾ ਨਹੀਂ ਹੈ
status-beyond-estimate = ਤੁਸੀਂ ਲਾਈਨ ਵਿੱਚ ਬਹੁਤ ਪਿੱਛੇ ਹੋ: ਅਜੇ ਸਮਾਂ ਨਹੀਂ ਦੱਸਿਆ ਜਾ ਸਕਦਾ। ਬਾਅਦ ਵਿੱਚ ਫਿਰ ਦੇਖੋ।
status-auto-refresh = ਇਹ ਪੰਨਾ ਆਪਣੇ ਆਪ ਅੱਪਡੇਟ ਹੁੰਦਾ ਹੈ; ਨਵੀਂ ਜਾਣਕਾਰੀ ਲਈ ਪੰਨਾ ਦੁਬਾਰਾ ਲੋਡ ਕਰੋ।
status-language = ਭਾਸ਼ਾ

## "Now serving" board (board-announce is spoken aloud)

board-now-serving = ਹੁਣ ਬੁਲਾਏ ਗਏ ਨੰਬਰ
board-counter = ਕਾਊਂਟਰ
board-next = ਅਗਲਾ
board-announce = ਟਿਕਟ { $ticket }, ਕਾਊਂਟਰ { $counter }
board-number = ਨੰਬਰ

## Status page: stopping and restarting its own reloads

status-stop-updating = ਆਪਣੇ ਆਪ ਅੱਪਡੇਟ ਹੋਣਾ ਬੰਦ ਕਰੋ
status-keep-updating = ਹਰ 30 ਸਕਿੰਟ ਵਿੱਚ ਆਪਣੇ ਆਪ ਅੱਪਡੇਟ ਕਰੋ

## Public error pages (with the "ask an officer" pictogram)

error-not-found = ਇਸ ਪਤੇ ’ਤੇ ਕੁਝ ਨਹੀਂ ਹੈ। ਜੇ ਤੁਸੀਂ ਟਿਕਟ ਸਕੈਨ ਕੀਤੀ ਹੈ, ਤਾਂ ਕਿਸੇ ਅਫ਼ਸਰ ਨੂੰ ਪੁੱਛੋ।
error-failed = ਕੁਝ ਗ਼ਲਤ ਹੋ ਗਿਆ। ਇੱਕ ਮਿੰਟ ਬਾਅਦ ਫਿਰ ਕੋਸ਼ਿਸ਼ ਕਰੋ, ਜਾਂ ਕਿਸੇ ਅਫ਼ਸਰ ਨੂੰ ਪੁੱਛੋ।

## Text messages (SMS) sent through the port's gateway: short, one each
## draft: new messages, not yet reviewed by a native speaker

sms-issued = { $port } ਵਿੱਚ ਟਿਕਟ { $ticket }। ਕਤਾਰ ਵਿੱਚ ਆਪਣੀ ਥਾਂ ਵੇਖੋ: { $link }
sms-near = ਟਿਕਟ { $ticket }: ਤੁਹਾਡੇ ਤੋਂ ਪਹਿਲਾਂ ਲਗਭਗ { $ahead } ਲੋਕ ਹਨ। ਹੁਣ ਉਡੀਕ ਵਾਲੀ ਥਾਂ ਤੇ ਵਾਪਸ ਆਓ।
sms-called = ਟਿਕਟ { $ticket }: ਹੁਣ ਕਾਊਂਟਰ { $counter } ਤੇ ਜਾਓ।

## Status page: the "Listen" button (the phone reads the page aloud; listen-digits are the
## words for 0 to 9, comma-separated, used to say a ticket number digit by digit)
## draft: new messages, not yet reviewed by a native speaker

status-listen = ਸੁਣੋ
status-listen-stop = ਰੋਕੋ
status-listen-no-voice = ਇਸ ਫ਼ੋਨ ਵਿੱਚ { $language } ਲਈ ਆਵਾਜ਼ ਨਹੀਂ ਹੈ। ਕਿਸੇ ਹੋਰ ਭਾਸ਼ਾ ਵਿੱਚ ਸੁਣੋ:
status-listen-unavailable = ਇਹ ਫ਼ੋਨ ਇਸ ਪੰਨੇ ਨੂੰ ਪੜ੍ਹ ਕੇ ਨਹੀਂ ਸੁਣਾ ਸਕਦਾ।
listen-digits = ਸਿਫ਼ਰ, ਇੱਕ, ਦੋ, ਤਿੰਨ, ਚਾਰ, ਪੰਜ, ਛੇ, ਸੱਤ, ਅੱਠ, ਨੌਂ

## "Now serving" board: the staff's sound button, and the line under the board naming the
## languages this screen can speak (board-voice) and those it only chimes for (board-no-voice)
## draft: new messages, not yet reviewed by a native speaker

board-sound = ਧੁਨੀ
board-voice = ਆਵਾਜ਼
board-no-voice = ਆਵਾਜ਼ ਨਹੀਂ, ਸਿਰਫ਼ ਘੰਟੀ
