#!/bin/sh
set -e
envsubst '$NGINX_SERVER_NAME' < /etc/nginx/templates/default.conf.template > /etc/nginx/conf.d/default.conf
envsubst < /usr/local/etc/php/conf.d/zz-app.ini.template > /usr/local/etc/php/conf.d/zz-app.ini
echo "$CRON_SCHEDULE cd /var/www/html && php artisan schedule:run >> /proc/1/fd/1 2>&1" | crontab -u www-data -
php /var/www/html/artisan config:cache
# nginx, php-fpm, cron and a queue worker, all under supervisord
exec /usr/bin/supervisord -n -c /etc/supervisor/supervisord.conf
