# source: drafted for portqueue by the development team; not yet reviewed by a native speaker
# reviewed-by:

## Printed and HTML ticket

ticket-title = आपका नंबर
ticket-wait-here = यहाँ इंतज़ार करें। इस जगह से न जाएँ।
ticket-watch-board = स्क्रीन देखते रहें। अपना नंबर ढूँढें।
ticket-go-to-counter = अपना नंबर दिखने पर बताए गए काउंटर पर जाएँ।
ticket-keep-ticket = यह टिकट संभालकर रखें। इसे खोएँ नहीं।
ticket-ask-officer = कोई सवाल हो तो किसी अधिकारी से पूछें।
ticket-party-size = आपके समूह में लोग: { $count }
ticket-estimate = बुलाए जाने का अनुमानित समय: { $earliest } से { $latest } के बीच
ticket-interpreter = कृपया किसी अधिकारी से दुभाषिया माँगें।
ticket-scan-status = कतार में अपनी जगह देखने के लिए कोड स्कैन करें।

## Public status page

status-your-ticket = आपका टिकट
status-status = स्थिति
status-waiting = इंतज़ार में
status-called = आपको बुलाया गया है: काउंटर { $counter } पर जाएँ
status-served = काम पूरा हुआ
status-no-show = बुलाने पर नहीं आए
status-withdrawn = कतार से हटाया गया
status-people-before-you = आपसे पहले लोग
status-estimated-call-time = बुलाए जाने का अनुमानित समय
status-between = { $earliest } से { $latest } के बीच
status-no-counter = अभी कोई काउंटर खुला नहीं है
status-beyond-estimate = आप लाइन में बहुत पीछे हैं: अभी समय नहीं बताया जा सकता। बाद में फिर देखें।
status-auto-refresh = यह पेज अपने आप अपडेट होता है; नई जानकारी के लिए पेज फिर से लोड करें।
status-language = भाषा

## "Now serving" board (board-announce is spoken aloud)

board-now-serving = अभी बुलाए गए नंबर
board-counter = काउंटर
board-next = अगला
board-announce = टिकट { $ticket }, काउंटर { $counter }
board-number = नंबर

## Status page: stopping and restarting its own reloads

status-stop-updating = अपने आप अपडेट होना बंद करें
status-keep-updating = हर 30 सेकंड में अपने आप अपडेट करें

## Public error pages (with the "ask an officer" pictogram)

error-not-found = इस पते पर कुछ नहीं है। अगर आपने टिकट स्कैन किया है, तो किसी अधिकारी से पूछें।
error-failed = कुछ गड़बड़ हो गई। एक मिनट बाद फिर कोशिश करें, या किसी अधिकारी से पूछें।

## Text messages (SMS) sent through the port's gateway: short, one each
## draft: new messages, not yet reviewed by a native speaker

sms-issued = { $port } में टिकट { $ticket }। कतार में अपनी जगह देखें: { $link }
sms-near = टिकट { $ticket }: आपसे पहले लगभग { $ahead } लोग हैं। अब प्रतीक्षा क्षेत्र में लौट आएँ।
sms-called = टिकट { $ticket }: अभी काउंटर { $counter } पर जाएँ।

## Status page: the "Listen" button (the phone reads the page aloud; listen-digits are the
## words for 0 to 9, comma-separated, used to say a ticket number digit by digit)
## draft: new messages, not yet reviewed by a native speaker

status-listen = सुनें
status-listen-stop = रोकें
status-listen-no-voice = इस फ़ोन में { $language } के लिए आवाज़ नहीं है। किसी दूसरी भाषा में सुनें:
status-listen-unavailable = यह फ़ोन इस पेज को पढ़कर नहीं सुना सकता।
listen-digits = शून्य, एक, दो, तीन, चार, पाँच, छह, सात, आठ, नौ

## "Now serving" board: the staff's sound button, and the line under the board naming the
## languages this screen can speak (board-voice) and those it only chimes for (board-no-voice)
## draft: new messages, not yet reviewed by a native speaker

board-sound = ध्वनि
board-voice = आवाज़
board-no-voice = आवाज़ नहीं, सिर्फ़ घंटी
