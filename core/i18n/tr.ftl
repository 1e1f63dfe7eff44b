# source: drafted for portqueue by the development team; not yet reviewed by a native speaker
# reviewed-by:

## Printed and HTML ticket

ticket-title = Sıra numaranız
ticket-wait-here = Burada bekleyin. Bu alandan ayrılmayın.
ticket-watch-board = Ekranı izleyin. Numaranızın ekranda çıkmasını bekleyin.
ticket-go-to-counter = Numaranızı görünce gösterilen gişeye gidin.
ticket-keep-ticket = Bu fişi saklayın. Kaybetmeyin.
ticket-ask-officer = Sorunuz mu var? Bir görevliye sorun.
ticket-party-size = Grubunuzdaki kişi sayısı: { $count }
ticket-estimate = Tahmini çağrılma saati: { $earliest } ile { $latest } arası
ticket-interpreter = Lütfen bir görevliden tercüman isteyin.
ticket-scan-status = Sıradaki yerinizi görmek için kodu okutun.

## Public status page

status-your-ticket = Sıra fişiniz
status-status = Durum
status-waiting = Bekliyor
status-called = Çağrıldınız: { $counter } numaralı gişeye gidin
status-served = İşleminiz tamamlandı
status-no-show = Çağrıldığınızda gelmediniz
status-withdrawn = Sıradan çıkarıldı
status-people-before-you = Önünüzdeki kişi sayısı
status-estimated-call-time = Tahmini çağrılma saati
status-between = { $earliest } ile { $latest } arası
status-no-counter = Şu anda açık gişe yok
status-beyond-estimate = Sırada çok geridesiniz: henüz saat verilemiyor. Daha sonra tekrar bakın.
status-auto-refresh = Bu sayfa kendini günceller; en yeni bilgi için sayfayı yeniden yükleyin.
status-language = Dil

## "Now serving" board (board-announce is spoken aloud)

board-now-serving = Şimdi çağrılanlar
board-counter = Gişe
board-next = Sıradaki
board-announce = Sıra { $ticket }, { $counter } numaralı gişe
board-number = Numara

## Status page: stopping and restarting its own reloads

status-stop-updating = Güncellemeyi durdur
status-keep-updating = Her 30 saniyede kendini güncellesin

## Public error pages (with the "ask an officer" pictogram)

error-not-found = Bu adreste bir şey yok. Bir fişi taradıysanız bir görevliye sorun.
error-failed = Bir sorun oluştu. Bir dakika sonra yeniden deneyin veya bir görevliye sorun.

## Text messages (SMS) sent through the port's gateway: short, one each
## draft: new messages, not yet reviewed by a native speaker

sms-issued = { $port } — numara { $ticket }. Sıradaki yerinizi görün: { $link }
sms-near = Numara { $ticket }: önünüzde yaklaşık { $ahead } kişi var. Şimdi bekleme alanına dönün.
sms-called = Numara { $ticket }: şimdi { $counter } numaralı gişeye gidin.

## Status page: the "Listen" button (the phone reads the page aloud; listen-digits are the
## words for 0 to 9, comma-separated, used to say a ticket number digit by digit)
## draft: new messages, not yet reviewed by a native speaker

status-listen = Dinle
status-listen-stop = Durdur
status-listen-no-voice = Bu telefonda { $language } için ses yok. Başka bir dilde dinleyin:
status-listen-unavailable = Bu telefon bu sayfayı sesli okuyamıyor.
listen-digits = sıfır, bir, iki, üç, dört, beş, altı, yedi, sekiz, dokuz

## "Now serving" board: the staff's sound button, and the line under the board naming the
## languages this screen can speak (board-voice) and those it only chimes for (board-no-voice)
## draft: new messages, not yet reviewed by a native speaker

board-sound = Ses
board-voice = Seslendirme
board-no-voice = Seslendirme yok, yalnızca zil sesi
