#!/bin/bash
cd /opt/billing
sed -e "s|@DB_URL@|${DB_URL}|" config/application.properties.tpl > config/application.properties
nohup java $JAVA_OPTS -jar billing.jar --spring.config.location=config/application.properties > logs/billing.log 2>&1 &
echo $! > billing.pid
sleep 5
tail -f logs/billing.log
